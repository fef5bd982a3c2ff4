#!/bin/bash
# Runs once, on an empty data directory: one database and one owner per service.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres <<SQL
CREATE ROLE orders LOGIN PASSWORD '${ORDERS_DB_PASSWORD}';
CREATE DATABASE orders OWNER orders;
CREATE ROLE stock LOGIN PASSWORD '${STOCK_DB_PASSWORD}';
CREATE DATABASE stock OWNER stock;
SQL
