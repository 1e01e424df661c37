// What covet needs to know about one table of the main schema, read from SQLite's pragmas.
#pragma once

#include "sqlite.hpp"

#include <optional>
#include <string>
#include <vector>

namespace covet::ext {

struct Column {
    std::string name;          // as declared
    std::string type;          // declared type, may be empty
    bool not_null = false;
    std::optional<std::string> default_sql;  // the declared DEFAULT expression, as written
    bool primary_key = false;
};

struct Index {
    std::string name;
    bool unique = false;
    bool partial = false;
    std::vector<std::string> columns;     // key columns in order; expressions are empty strings
    std::vector<std::string> collations;  // of each key column
};

struct Table {
    std::string name;  // the spelling stored in the schema
    bool without_rowid = false;
    std::vector<Column> columns;
    std::vector<Index> indexes;  // every index, covet's own included

    const Column* column(std::string_view name) const;  // case-insensitive, as SQLite
    // The single-column primary key, or nullopt (none declared, or composite).
    std::optional<std::string> primary_key() const;
    // The SQL expression that names one row inside a statement: the INTEGER PRIMARY KEY or
    // rowid alias for rowid tables, the single primary key column for WITHOUT ROWID tables.
    // nullopt when the table has no usable one (WITHOUT ROWID with a composite key, every rowid
    // alias shadowed by a column).
    std::optional<std::string> row_identity() const;
    // Is column the sole key of a unique index or the single-column primary key?
    bool is_unique_key(std::string_view column) const;
    // Is there an index not owned by covet whose first key column is column (unique: and that
    // is unique on exactly that column)?
    bool has_leading_index(std::string_view column, bool unique) const;
    // The collation a key column compares with (from its unique index), as SQLite's foreign
    // keys use the parent key's: "BINARY" unless declared otherwise.
    std::string key_collation(std::string_view column) const;
    // The names that update a column: itself, plus rowid, _rowid_ and oid when it is the
    // INTEGER PRIMARY KEY (UPDATE ... SET rowid = ... changes it too), quoted.
    std::vector<std::string> update_names(std::string_view column) const;
};

bool same_name(std::string_view a, std::string_view b);  // SQLite's ASCII case folding

// Reads table `name` of the main schema. nullopt unless it is an ordinary table
// (views, virtual tables, shadow tables and sqlite_ internals are not).
std::optional<Table> read_table(sqlite3* db, std::string_view name);

// Objects covet owns in the schema carry one of these name prefixes.
bool is_covet_object(std::string_view name);

}  // namespace covet::ext
