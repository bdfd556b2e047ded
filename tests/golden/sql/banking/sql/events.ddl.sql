CREATE TABLE events ("case" VARCHAR, "touchpoint" VARCHAR, "event" VARCHAR, "at" TIMESTAMPTZ, "value" DOUBLE, "channel" VARCHAR, "segment" VARCHAR);
