"""Service-level objectives as monitoring sees them: the instrumentation contract
(which series each metric reads), series and alert naming, burn-rate maths and the
rule plan that the prometheus, tests, grafana and openslo targets all render.
"""
