#include "schema.hpp"

#include <algorithm>

namespace covet::ext {

bool same_name(std::string_view a, std::string_view b) {
    return a.size() == b.size() && sqlite3_strnicmp(a.data(), b.data(), static_cast<int>(a.size())) == 0;
}

const Column* Table::column(std::string_view wanted) const {
    for (const Column& c : columns)
        if (same_name(c.name, wanted)) return &c;
    return nullptr;
}

std::optional<std::string> Table::primary_key() const {
    std::optional<std::string> key;
    for (const Column& c : columns) {
        if (!c.primary_key) continue;
        if (key) return std::nullopt;  // composite
        key = c.name;
    }
    return key;
}

std::optional<std::string> Table::row_identity() const {
    std::optional<std::string> key = primary_key();
    if (without_rowid) return key ? std::optional(quote_id(*key)) : std::nullopt;
    if (key && same_name(column(*key)->type, "INTEGER")) return quote_id(*key);
    for (const char* alias : {"rowid", "_rowid_", "oid"})
        if (!column(alias)) return std::string(alias);
    return std::nullopt;
}

bool Table::is_unique_key(std::string_view name) const {
    std::optional<std::string> key = primary_key();
    if (key && same_name(*key, name)) return true;
    return std::any_of(indexes.begin(), indexes.end(), [&](const Index& index) {
        return index.unique && !index.partial && index.columns.size() == 1 &&
               same_name(index.columns[0], name);
    });
}

bool Table::has_leading_index(std::string_view name, bool unique) const {
    if (unique) {
        std::optional<std::string> key = primary_key();
        if (key && same_name(*key, name)) return true;
    } else if (row_identity() == quote_id(name)) {
        return true;
    }
    return std::any_of(indexes.begin(), indexes.end(), [&](const Index& index) {
        if (is_covet_object(index.name) || index.partial || index.columns.empty()) return false;
        if (!same_name(index.columns[0], name)) return false;
        return !unique || (index.unique && index.columns.size() == 1);
    });
}

std::string Table::key_collation(std::string_view name) const {
    for (const Index& index : indexes)
        if (index.unique && !index.partial && index.columns.size() == 1 && same_name(index.columns[0], name))
            return index.collations[0];
    return "BINARY";
}

std::vector<std::string> Table::update_names(std::string_view name) const {
    std::vector<std::string> names{quote_id(name)};
    if (without_rowid || row_identity() != quote_id(name)) return names;
    for (const char* alias : {"rowid", "_rowid_", "oid"})
        if (!column(alias)) names.push_back(alias);
    return names;
}

std::optional<Table> read_table(sqlite3* db, std::string_view name) {
    Table table;
    {
        Stmt list(db, "SELECT name, type, wr FROM pragma_table_list(?1) WHERE schema = 'main'");
        list.bind(1, name);
        if (!list.step()) return std::nullopt;
        table.name = list.text(0);
        if (list.text(1) != "table" || table.name.rfind("sqlite_", 0) == 0) return std::nullopt;
        table.without_rowid = list.integer(2) != 0;
    }
    Stmt columns(db, "SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info(?1, 'main')");
    columns.bind(1, table.name);
    while (columns.step())
        table.columns.push_back({columns.text(0), columns.text(1), columns.integer(2) != 0,
                                 columns.optional_text(3), columns.integer(4) != 0});

    Stmt indexes(db, "SELECT name, \"unique\", partial FROM pragma_index_list(?1, 'main') ORDER BY name");
    indexes.bind(1, table.name);
    Stmt keys(db, "SELECT coalesce(name, ''), coll FROM pragma_index_xinfo(?1, 'main') WHERE key ORDER BY seqno");
    while (indexes.step()) {
        Index index{indexes.text(0), indexes.integer(1) != 0, indexes.integer(2) != 0, {}, {}};
        keys.bind(1, index.name);
        while (keys.step()) {
            index.columns.push_back(keys.text(0));
            index.collations.push_back(keys.text(1));
        }
        keys.reset();
        table.indexes.push_back(std::move(index));
    }
    return table;
}

bool is_covet_object(std::string_view name) {
    for (std::string_view prefix : {"covet_delete:", "covet_insert:", "covet_update:", "covet_index:",
                                    "covet_unique:"})
        if (name.substr(0, prefix.size()) == prefix) return true;
    return false;
}

}  // namespace covet::ext
