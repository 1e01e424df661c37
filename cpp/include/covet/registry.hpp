// covet's model registry: which models have been migrated on a Database, by type and by table.
//
//   db.migrate<Author, Book>();
//   const covet::ModelInfo* a = covet::find_model(db, "authors");   // by table (ASCII case-insensitive)
//   const covet::ModelInfo* b = covet::find_model<Book>(db);         // by type; nullptr if not migrated here
//
// Design: one registry per SQLite connection, kept outside covet::Database (which knows nothing
// of it) in a process-wide map from the sqlite3* handle to the registry, guarded by a mutex. The
// registry is bound to the connection's lifetime, not to the handle's address: when the first
// model is registered, a SQL function covet_cpp_models() (SQLITE_DIRECTONLY; it returns the number
// of registered models) is created on the connection with a destructor that removes the registry.
// SQLite calls that destructor when the connection closes, so a later connection that happens to
// get the same sqlite3* address starts with an empty registry.
//
// migrate() registers its models after its transaction committed (check() registers nothing),
// with their through models and automatic junction tables ("Book_categories": a ModelInfo that
// only describes the table; it has no C++ type, so its ModelInfo::ops are empty).
// A migrate run inside an outer transaction registers when its savepoint is released; if the outer
// transaction later rolls back, the models stay registered (the registry is not transactional).
// A table is described by one model: migrating another model with the same table name (a new
// version of the struct) replaces the entry, and the old type is then no longer found. The
// ModelInfo pointers are model_info<T>()'s statics and live as long as the program.
//
// Like everything on a Database, these must be called on the thread that opened it.
#pragma once

#include <covet/model.hpp>
#include <covet/model_info.hpp>

#include <span>
#include <string_view>
#include <vector>

namespace covet {

class Database;

// The model migrated on db whose table is `table` (compared like SQLite: ASCII case-insensitive);
// nullptr if none.
const ModelInfo* find_model(Database& db, std::string_view table);
// `model` itself if it is registered on db (it was migrated there), nullptr otherwise.
const ModelInfo* find_model(Database& db, const ModelInfo& model);
// Model T if it has been migrated on db, nullptr otherwise.
template <class T>
const ModelInfo* find_model(Database& db) {
    return find_model(db, model_info<T>());
}
// Every model registered on db, ordered by table name.
std::vector<const ModelInfo*> registered_models(Database& db);
// Registers models on db (migrate() does this; SchemaError if two of them use the same table).
void register_models(Database& db, std::span<const ModelInfo* const> models);

}  // namespace covet
