// Schema: the DDL of models, and migrations that only ever add.
//
//   db.migrate<Author, Book>();                       // creates what is missing; idempotent
//   std::vector<std::string> diff = db.check<Author, Book>();  // differences, changes nothing
//   std::string ddl = db.schema_sql<Author, Book>();  // what migrate runs on an empty database
//
// The templates below only collect &model_info<Ts>()...; everything else is in cpp/src/schema.cpp.
//
// DDL of a model (one CREATE TABLE, then one CREATE INDEX per meta<T>::indexes / db_index):
//   CREATE TABLE "authors" ("id" INTEGER PRIMARY KEY, "name" TEXT NOT NULL DEFAULT 'x'
//       CHECK (length("name") <= 100), "email" TEXT NOT NULL UNIQUE, "website" TEXT,
//       UNIQUE ("name", "website"))
//   CREATE INDEX "authors_name_idx" ON "authors" ("name")
// Column: "name" TYPE [PRIMARY KEY] [NOT NULL] [UNIQUE] [DEFAULT literal] [CHECK (...)]...
//   TYPE: INTEGER, REAL, TEXT or BLOB (ColumnType). An INTEGER primary key is INTEGER PRIMARY KEY
//   (the rowid); another primary key is PRIMARY KEY NOT NULL. Every other column is NOT NULL
//   unless its field is a std::optional. DEFAULT: Column::default_value as a literal. CHECKs:
//   max_length -> CHECK (length("c") <= n); text enums -> CHECK ("c" IN ('a','b')).
//   Identifiers are always double-quoted (embedded quotes doubled); statements end with ";\n".
//
// migrate<Ts...>() compares each model with the database (sqlite_schema, pragma_table_info,
// pragma_index_list / index_info) and, in ONE transaction (BEGIN IMMEDIATE, or a savepoint inside
// an open transaction), all or nothing:
//   creates     missing tables (with their indexes), missing indexes, missing uniqueness
//               (unique / unique_together on an existing table: CREATE UNIQUE INDEX
//               "<table>_<columns>_uniq"; it fails, and everything rolls back, if rows collide);
//   adds        new fields: ALTER TABLE ADD COLUMN. SQLite's limits: a UNIQUE column cannot be
//               added, so it is added without UNIQUE plus a unique index "<table>_<column>_uniq"
//               (equivalent for inserts and updates); a NOT NULL column without a non-NULL
//               default can only be added to an EMPTY table (refused otherwise: give the field a
//               default_value or make it std::optional); a primary key cannot be added (refused);
//   refuses     (covet::SchemaError, nothing changed) what would lose data or need a table
//               rebuild: a column no field maps to (dropped/renamed field), a changed type
//               (compared by SQLite type affinity), a changed NOT NULL, a changed primary key,
//               an object of that name that is not a table;
//   reports     without acting (in check() and in a SchemaError's list): a missing CHECK
//               constraint (max_length / choices) and a different DEFAULT.
// Tables and columns of the database that no model passed mentions are left alone, except the
// columns of a model's own table (a column without a field is a refused drop).
// Run again, migrate finds nothing to do: it only reads (inside BEGIN/COMMIT) and writes nothing.
// After a successful migrate the models are registered on db (registry.hpp).
//
// check<Ts...>() returns one readable line per difference ("Author (authors): ..."), each naming
// the model, the table and the column, and saying what migrate would do; empty when in sync.
// SchemaError::what() of a refused migrate lists every difference the same way, one per line.
#pragma once

#include <covet/database.hpp>
#include <covet/model.hpp>
#include <covet/model_info.hpp>
#include <covet/registry.hpp>

#include <array>
#include <span>
#include <string>
#include <vector>

namespace covet {

// The CREATE TABLE statement of a model (no trailing ';').
std::string create_table_sql(const ModelInfo& model);
// The CREATE INDEX statements of a model's indexes (no trailing ';').
std::vector<std::string> create_index_sql(const ModelInfo& model);
// Every model's CREATE TABLE and CREATE INDEX statements, each followed by ";\n".
std::string schema_sql(std::span<const ModelInfo* const> models);
// The differences between the models and db; changes nothing.
std::vector<std::string> check_models(Database& db, std::span<const ModelInfo* const> models);
// Migrates db to the models (see above); SchemaError when refused.
void migrate_models(Database& db, std::span<const ModelInfo* const> models);

template <class... Ts>
void Database::migrate() {
    const std::array<const ModelInfo*, sizeof...(Ts)> models{&model_info<Ts>()...};
    migrate_models(*this, models);
}

template <class... Ts>
std::vector<std::string> Database::check() {
    const std::array<const ModelInfo*, sizeof...(Ts)> models{&model_info<Ts>()...};
    return check_models(*this, models);
}

template <class... Ts>
std::string Database::schema_sql() {
    const std::array<const ModelInfo*, sizeof...(Ts)> models{&model_info<Ts>()...};
    return covet::schema_sql(models);
}

}  // namespace covet
