-- The application the outbox tests run in has no tables of its own: the outbox brings its own.
SELECT 1;
