// The triggers and indexes covet keeps in the schema, derived from the relations: what they
// should be (desired_objects), what they are (existing_objects), and making the one the other.
#pragma once

#include "deletion.hpp"

#include <string>
#include <vector>

namespace covet::ext {

struct SchemaObject {
    std::string type;   // "trigger" or "index"
    std::string name;   // covet_delete:<table>, covet_insert:..., covet_update:..., covet_index:..., covet_unique:...
    std::string table;  // the table it is on
    std::string sql;    // CREATE statement, exactly as sqlite_schema stores it
};

// One BEFORE DELETE, BEFORE INSERT and BEFORE UPDATE trigger per table at most (SQLite fires
// several triggers of one event newest-first, so one trigger covers every relation), plus an
// index on every referencing column and a UNIQUE index for one_to_one.
std::vector<SchemaObject> desired_objects(Graph& graph);
std::vector<SchemaObject> existing_objects(sqlite3* db);

// Drops covet objects that are outdated or no longer needed and creates the missing ones;
// returns how many it dropped or created.
int sync_schema(sqlite3* db);

}  // namespace covet::ext
