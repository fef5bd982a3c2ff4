-- The W3C traceparent of the span that wrote the row (null without one): its delivery continues that trace.
ALTER TABLE outbox ADD COLUMN traceparent text;
