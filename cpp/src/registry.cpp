// The per-connection model registry (registry.hpp): a process-wide map from sqlite3* to the
// models migrated on that connection, emptied by SQLite itself when the connection closes.
#include "names.hpp"
#include <covet/registry.hpp>

#include <covet/database.hpp>
#include <covet/error.hpp>

#include <fmt/format.h>

#include <sqlite3.h>

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace covet {
namespace {

struct Registry {
    std::map<std::string, const ModelInfo*> by_table;  // key: the table name in ASCII lower case
};

std::mutex registries_mutex;
std::unordered_map<sqlite3*, std::unique_ptr<Registry>>& registries() {
    static std::unordered_map<sqlite3*, std::unique_ptr<Registry>> map;
    return map;
}

using detail::ascii_lower;

Registry* find_registry(sqlite3* handle) {
    const std::lock_guard lock(registries_mutex);
    auto& map = registries();
    auto it = map.find(handle);
    return it == map.end() ? nullptr : it->second.get();
}

// covet_cpp_models(): the number of models registered on this connection. The function exists to
// tie the registry to the connection: SQLite calls its destructor (pApp = the handle) on close.
void count_models(sqlite3_context* context, int, sqlite3_value**) {
    Registry* registry = find_registry(static_cast<sqlite3*>(sqlite3_user_data(context)));
    sqlite3_result_int64(context, registry ? static_cast<sqlite3_int64>(registry->by_table.size()) : 0);
}

void destroy_registry(void* handle) {
    const std::lock_guard lock(registries_mutex);
    registries().erase(static_cast<sqlite3*>(handle));
}

// The registry of db's connection; created (with its SQL function) when `create` is set,
// otherwise nullptr if there is none.
Registry* registry_of(Database& db, bool create) {
    db.check_thread();
    sqlite3* handle = db.handle();
    Registry* registry = nullptr;
    {
        const std::lock_guard lock(registries_mutex);
        auto& map = registries();
        if (auto it = map.find(handle); it != map.end()) {
            return it->second.get();
        }
        if (!create) {
            return nullptr;
        }
        registry = map.emplace(handle, std::make_unique<Registry>()).first->second.get();
    }
    // Only the connection's own thread gets here for this handle. The mutex is released first:
    // SQLite may call destroy_registry (which takes it) from inside sqlite3_create_function_v2.
    const int rc = sqlite3_create_function_v2(handle, "covet_cpp_models", 0, SQLITE_UTF8 | SQLITE_DIRECTONLY, handle,
                                              count_models, nullptr, nullptr, destroy_registry);
    if (rc != SQLITE_OK) {
        // On failure SQLite has already called destroy_registry (documented for _v2), which erased
        // the entry; erase again in case it did not.
        destroy_registry(handle);
        throw Error(fmt::format("covet: cannot create the model registry: {}", sqlite3_errmsg(handle)));
    }
    return registry;
}

}  // namespace

const ModelInfo* find_model(Database& db, std::string_view table) {
    const Registry* registry = registry_of(db, false);
    if (!registry) {
        return nullptr;
    }
    auto it = registry->by_table.find(ascii_lower(table));
    return it == registry->by_table.end() ? nullptr : it->second;
}

const ModelInfo* find_model(Database& db, const ModelInfo& model) {
    const ModelInfo* found = find_model(db, model.table);
    return found == &model ? found : nullptr;
}

std::vector<const ModelInfo*> registered_models(Database& db) {
    std::vector<const ModelInfo*> models;
    if (const Registry* registry = registry_of(db, false)) {
        for (const auto& entry : registry->by_table) {
            models.push_back(entry.second);
        }
    }
    return models;
}

void register_models(Database& db, std::span<const ModelInfo* const> models) {
    for (std::size_t i = 0; i < models.size(); ++i) {
        for (std::size_t j = 0; j < i; ++j) {
            if (models[i] != models[j] && ascii_lower(models[i]->table) == ascii_lower(models[j]->table)) {
                throw SchemaError(fmt::format("covet: models {} and {} both use table \"{}\"", models[j]->name,
                                              models[i]->name, models[i]->table));
            }
        }
    }
    if (models.empty()) {
        return;
    }
    Registry* registry = registry_of(db, true);
    for (const ModelInfo* model : models) {
        registry->by_table[ascii_lower(model->table)] = model;
    }
}

}  // namespace covet
