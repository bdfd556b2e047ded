"""The JSON-RPC edge of the server: malformed messages get an answer, never a traceback.

pygls turns a request whose parameters do not fit the LSP types (a negative
position, a string for a number, an object as id, no params at all) into an
exception in its reader loop: the client waits for an answer forever and a
traceback lands on stderr. Here such a request is answered with -32602
(InvalidParams), saying which field is wrong, and a malformed notification is
dropped with one line in the log.
"""

from __future__ import annotations

import logging
from typing import Any, Generator

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams
from pygls.protocol import LanguageServerProtocol, lsp_method

from touchdsl.tools.lsp.positions import TouchWorkspace

__all__ = ["TouchProtocol", "OneLineLogs"]

log = logging.getLogger(__name__)


class _Answered:
    """A message already dealt with while it was read (answered with an error, or dropped)."""

    jsonrpc = "answered"


_ANSWERED = _Answered()


def _reason(exc: BaseException) -> str:
    try:
        from cattrs import transform_error

        reasons = transform_error(exc)
    except Exception:  # noqa: BLE001 - a reason is a courtesy; the code says enough
        reasons = []
    if reasons:
        return "; ".join(r.replace("$.", "") for r in reasons[:3])
    return str(exc) or type(exc).__name__


def _valid_id(value: Any) -> bool:
    return isinstance(value, (int, str)) and not isinstance(value, bool)


def json_type(value: Any) -> str:
    names = {dict: "an object", list: "an array", bool: "true or false", type(None): "null", float: "a fraction"}
    return names.get(type(value), type(value).__name__)


class TouchProtocol(LanguageServerProtocol):
    def structure_message(self, data: dict[str, Any]) -> Any:
        if "jsonrpc" not in data:
            return data  # a nested object: structured with its message
        method = data.get("method")
        try:
            if "id" in data and method is not None:
                if not _valid_id(data["id"]):
                    raise ValueError(f"the id must be a number or a string, not {json_type(data['id'])}")
                request_type = self.get_message_type(method) or self._request_fallback()
                return self._converter.structure(data, request_type)
            if "id" not in data and method is not None:
                notification_type = self.get_message_type(method) or self._notification_fallback()
                return self._converter.structure(data, notification_type)
        except Exception as exc:  # noqa: BLE001 - whatever does not fit is the client's mistake
            if "id" in data:
                msg_id = data["id"] if _valid_id(data["id"]) else None
                error = JsonRpcInvalidParams(f"invalid params for {method}: {_reason(exc)}")
                log.warning("answered %s request %r with InvalidParams: %s", method, msg_id, _reason(exc))
                # JSON-RPC: when the id cannot be read, the answer's id is null.
                self._send_response(msg_id, None, error.to_response_error())  # type: ignore[arg-type]
            else:
                log.warning("dropped %s notification with invalid params: %s", method, _reason(exc))
            return _ANSWERED
        return super().structure_message(data)

    def _request_fallback(self) -> Any:
        from pygls.protocol.json_rpc import JsonRPCRequestMessage

        return JsonRPCRequestMessage

    def _notification_fallback(self) -> Any:
        from pygls.protocol.json_rpc import JsonRPCNotification

        return JsonRPCNotification

    def handle_message(self, message: Any) -> None:
        if message is _ANSWERED:
            return
        super().handle_message(message)

    @lsp_method(types.INITIALIZE)
    def lsp_initialize(self, params: types.InitializeParams) -> Generator[Any, Any, types.InitializeResult]:
        result = yield from super().lsp_initialize(params)
        # Documents whose lines end at `\n` only, as the parser counts them.
        plain = self.workspace
        workspace = TouchWorkspace(plain.root_uri, self._server._text_document_sync_kind,
                                   list(plain.folders.values()), plain.position_encoding)
        self._workspace = workspace
        return result


class OneLineLogs(logging.Filter):
    """Log records without tracebacks: what failed, in one line (an editor shows stderr to people)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            record.msg = f"{record.getMessage()} ({type(exc).__name__}: {exc})"
            record.args = ()
            record.exc_info = None
            record.exc_text = None
        return True
