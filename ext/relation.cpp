#include "relation.hpp"

#include <algorithm>
#include <cctype>

namespace covet::ext {

namespace {

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string upper(std::string s) {
    for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

struct KindName {
    Kind kind;
    const char* name;
};
constexpr KindName kinds[] = {
    {Kind::ForeignKey, "foreign_key"}, {Kind::OneToOne, "one_to_one"}, {Kind::ManyToMany, "many_to_many"}};

struct ActionName {
    OnDelete action;
    const char* name;
};
constexpr ActionName actions[] = {{OnDelete::Cascade, "CASCADE"},   {OnDelete::SetNull, "SET_NULL"},
                                  {OnDelete::SetDefault, "SET_DEFAULT"}, {OnDelete::Protect, "PROTECT"},
                                  {OnDelete::Restrict, "RESTRICT"}, {OnDelete::DoNothing, "DO_NOTHING"}};

std::optional<Kind> find_kind(std::string_view name) {
    for (const KindName& k : kinds)
        if (name == k.name) return k.kind;
    return std::nullopt;
}

std::optional<OnDelete> find_action(std::string_view name) {
    for (const ActionName& a : actions)
        if (name == a.name) return a.action;
    return std::nullopt;
}

[[noreturn]] void refuse(const Relation& r, const std::string& problem) {
    throw Error("covet: relation " + (r.name.empty() ? std::string("(unnamed)") : r.name) + ": " + problem,
                SQLITE_CONSTRAINT);
}

std::string field_of(const Relation& r) {
    if (r.many_to_many()) {
        std::size_t dot = r.name.rfind('.');
        return dot == std::string::npos ? r.name : r.name.substr(dot + 1);
    }
    std::string column = r.from_column.value_or("");
    if (column.size() > 3 && lower(column.substr(column.size() - 3)) == "_id")
        column.resize(column.size() - 3);
    return column;
}

bool is_internal(std::string_view table) { return table.substr(0, 7) == "_covet_"; }

std::optional<std::string> opt(const Value& v) {
    if (v.is_null()) return std::nullopt;
    return v.text();
}

Value opt_value(const std::optional<std::string>& s) {
    Value v;
    if (s) {
        v.type = SQLITE_TEXT;
        v.bytes = *s;
    }
    return v;
}

}  // namespace

Kind Relation::parsed_kind() const {
    std::optional<Kind> k = find_kind(kind);
    return k ? *k : Kind::ForeignKey;
}

OnDelete Relation::action() const {
    if (many_to_many()) return OnDelete::Cascade;
    std::optional<OnDelete> a = find_action(on_delete.value_or("CASCADE"));
    return a ? *a : OnDelete::Cascade;
}

std::optional<std::string> Relation::reverse_name() const {
    if (related_name == "+") return std::nullopt;
    return to_table + "." + related_name;
}

Value column_value(const Relation& r, int column) {
    switch (column) {
    case 0: return opt_value(r.name);
    case 1: return opt_value(r.kind);
    case 2: return opt_value(r.from_table);
    case 3: return opt_value(r.from_column);
    case 4: return opt_value(r.to_table);
    case 5: return opt_value(r.to_column);
    case 6: return opt_value(r.on_delete);
    case 7: return opt_value(r.related_name);
    case 8: return opt_value(r.through_table);
    case 9: return opt_value(r.through_from_column);
    case 10: return opt_value(r.through_to_column);
    default: return r.default_value;
    }
}

void set_column(Relation& r, int column, const Value& v) {
    switch (column) {
    case 0: r.name = v.is_null() ? "" : v.text(); break;
    case 1: r.kind = v.is_null() ? "" : v.text(); break;
    case 2: r.from_table = v.is_null() ? "" : v.text(); break;
    case 3: r.from_column = opt(v); break;
    case 4: r.to_table = v.is_null() ? "" : v.text(); break;
    case 5: r.to_column = v.is_null() ? "" : v.text(); break;
    case 6: r.on_delete = opt(v); break;
    case 7: r.related_name = v.is_null() ? "" : v.text(); break;
    case 8: r.through_table = opt(v); break;
    case 9: r.through_from_column = opt(v); break;
    case 10: r.through_to_column = opt(v); break;
    default: r.default_value = v; break;
    }
}

bool store_exists(sqlite3* db) {
    Stmt s(db, "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1");
    s.bind(1, relation_store);
    return s.step();
}

void ensure_store(sqlite3* db) {
    exec(db, std::string("CREATE TABLE IF NOT EXISTS ") + relation_store +
                 "(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, from_table TEXT NOT NULL,"
                 " from_column TEXT, to_table TEXT NOT NULL, to_column TEXT NOT NULL, on_delete TEXT,"
                 " related_name TEXT NOT NULL, through_table TEXT, through_from_column TEXT,"
                 " through_to_column TEXT, default_value);"
                 // The rows one delete has condemned, while its trigger runs; empty between statements.
                 // key has no type so keys keep theirs; triggers compare it with +expr so the index is used.
                 "CREATE TABLE IF NOT EXISTS " +
                 doomed_store +
                 "(tbl TEXT NOT NULL, key NOT NULL, root_tbl TEXT NOT NULL, root_key NOT NULL,"
                 " PRIMARY KEY (tbl, key)) WITHOUT ROWID;"
                 "CREATE INDEX IF NOT EXISTS _covet_doomed_root ON " +
                 doomed_store + "(root_tbl, root_key, tbl)");
}

std::vector<Relation> load_relations(sqlite3* db) {
    std::vector<Relation> out;
    if (!store_exists(db)) return out;
    Stmt s(db, std::string("SELECT id, ") + join({std::begin(relation_columns), std::end(relation_columns)}, ", ") +
                   " FROM " + relation_store + " ORDER BY id");
    while (s.step()) {
        Relation r;
        r.id = s.integer(0);
        for (int c = 0; c < relation_column_count; ++c) set_column(r, c, s.value(c + 1));
        out.push_back(std::move(r));
    }
    return out;
}

void insert_relation(sqlite3* db, Relation& r) {
    std::vector<std::string> names(std::begin(relation_columns), std::end(relation_columns));
    std::vector<std::string> params;
    for (int c = 1; c <= relation_column_count; ++c) params.push_back("?" + std::to_string(c));
    Stmt s(db, std::string("INSERT INTO ") + relation_store + "(id, " + join(names, ", ") + ") VALUES (?" +
                   std::to_string(relation_column_count + 1) + ", " + join(params, ", ") + ")");
    for (int c = 0; c < relation_column_count; ++c) s.bind(c + 1, column_value(r, c));
    if (r.id) s.bind(relation_column_count + 1, r.id);  // kept when restoring; new rows get one
    s.run();
    r.id = sqlite3_last_insert_rowid(db);
}

void update_relation(sqlite3* db, const Relation& r) {
    std::vector<std::string> sets;
    for (int c = 0; c < relation_column_count; ++c)
        sets.push_back(std::string(relation_columns[c]) + " = ?" + std::to_string(c + 1));
    Stmt s(db, std::string("UPDATE ") + relation_store + " SET " + join(sets, ", ") + " WHERE id = ?" +
                   std::to_string(relation_column_count + 1));
    for (int c = 0; c < relation_column_count; ++c) s.bind(c + 1, column_value(r, c));
    s.bind(relation_column_count + 1, r.id);
    s.run();
}

void delete_relation(sqlite3* db, std::int64_t id) {
    Stmt s(db, std::string("DELETE FROM ") + relation_store + " WHERE id = ?1");
    s.bind(1, id).run();
}

void TableCache::forget(std::string_view name) { tables_.erase(lower(std::string(name))); }

const Table* TableCache::find(std::string_view name) {
    std::string key = lower(std::string(name));
    auto it = tables_.find(key);
    if (it == tables_.end()) {
        std::optional<Table> table;
        if (!is_internal(name)) table = read_table(db_, name);
        it = tables_.emplace(key, std::move(table)).first;
    }
    return it->second ? &*it->second : nullptr;
}

void complete(Relation& r, TableCache& tables) {
    r.kind = lower(r.kind);
    if (r.on_delete) r.on_delete = upper(*r.on_delete);
    const Table* from = tables.find(r.from_table);
    const Table* to = tables.find(r.to_table);
    if (from) r.from_table = from->name;
    if (to) r.to_table = to->name;
    if (from && r.from_column)
        if (const Column* c = from->column(*r.from_column)) r.from_column = c->name;
    if (to) {
        if (r.to_column.empty()) r.to_column = to->primary_key().value_or("");
        if (const Column* c = to->column(r.to_column)) r.to_column = c->name;
    }
    if (!find_kind(r.kind)) return;  // validate() names the bad kind
    if (r.many_to_many()) {
        if (r.name.empty()) return;  // validate() asks for one
        if (!r.through_table) r.through_table = r.from_table + "_" + field_of(r);
        bool self = same_name(r.from_table, r.to_table);
        if (!r.through_from_column)
            r.through_from_column = self ? "from_" + r.from_table + "_id" : r.from_table + "_id";
        if (!r.through_to_column) r.through_to_column = self ? "to_" + r.to_table + "_id" : r.to_table + "_id";
        if (const Table* junction = tables.find(*r.through_table)) {
            r.through_table = junction->name;
            if (const Column* c = junction->column(*r.through_from_column)) r.through_from_column = c->name;
            if (const Column* c = junction->column(*r.through_to_column)) r.through_to_column = c->name;
        }
    } else {
        if (!r.on_delete) r.on_delete = "CASCADE";
        if (r.name.empty() && r.from_column) r.name = r.from_table + "." + field_of(r);
    }
    if (r.related_name.empty()) r.related_name = r.from_table;
}

std::optional<std::string> schema_problem(const Relation& r, TableCache& tables, bool junction_pending) {
    auto table_problem = [&](const std::string& name, const char* role) -> std::optional<std::string> {
        const Table* t = tables.find(name);
        if (!t) return std::string(role) + " \"" + name + "\" is not an ordinary table of the main schema";
        if (!t->row_identity())
            return std::string(role) + " \"" + name +
                   "\" has no row identity (a WITHOUT ROWID table needs a single-column primary key)";
        return std::nullopt;
    };
    if (auto p = table_problem(r.from_table, "from_table")) return p;
    if (auto p = table_problem(r.to_table, "to_table")) return p;
    const Table& from = *tables.find(r.from_table);
    const Table& to = *tables.find(r.to_table);
    if (r.to_column.empty())
        return "to_table " + to.name + " has no single-column primary key: give to_column";
    if (!to.column(r.to_column)) return "to_column \"" + r.to_column + "\" does not exist in table " + to.name;
    if (!to.is_unique_key(r.to_column))
        return "to_column " + to.name + "." + r.to_column +
               " is neither the primary key nor a single-column UNIQUE key";
    if (r.many_to_many()) {
        if (!from.primary_key())
            return "from_table " + from.name + " needs a single-column primary key for many_to_many";
        if (junction_pending) return std::nullopt;
        if (auto p = table_problem(*r.through_table, "through_table")) return p;
        const Table& junction = *tables.find(*r.through_table);
        for (const auto& column : {r.through_from_column, r.through_to_column})
            if (!junction.column(*column))
                return "column \"" + *column + "\" does not exist in through_table " + junction.name;
        return std::nullopt;
    }
    const Column* column = from.column(r.from_column.value_or(""));
    if (!column) return "from_column \"" + r.from_column.value_or("") + "\" does not exist in table " + from.name;
    if (r.action() == OnDelete::SetNull && (column->not_null || column->primary_key))
        return "SET_NULL needs a nullable column, but " + from.name + "." + column->name + " is NOT NULL";
    if (r.action() == OnDelete::SetDefault && r.default_value.is_null() && !column->default_sql)
        return "SET_DEFAULT needs a default: " + from.name + "." + column->name +
               " declares no DEFAULT and default_value is NULL";
    return std::nullopt;
}

void validate(const Relation& r, const std::vector<Relation>& others, TableCache& tables, bool junction_pending) {
    if (!find_kind(r.kind))
        refuse(r, "unknown kind '" + r.kind + "' (expected foreign_key, one_to_one or many_to_many)");
    if (r.from_table.empty()) refuse(r, "from_table is required");
    if (r.to_table.empty()) refuse(r, "to_table is required");
    if (r.many_to_many()) {
        if (r.from_column) refuse(r, "from_column must be NULL for many_to_many (the junction holds the keys)");
        if (r.on_delete) refuse(r, "on_delete must be NULL for many_to_many (junction rows go with either side)");
    } else {
        if (!r.from_column) refuse(r, "from_column is required for " + r.kind);
        if (r.through_table || r.through_from_column || r.through_to_column)
            refuse(r, "through_table and its columns are only for many_to_many");
        if (!find_action(*r.on_delete))
            refuse(r, "unknown on_delete '" + *r.on_delete +
                          "' (expected CASCADE, SET_NULL, SET_DEFAULT, PROTECT, RESTRICT or DO_NOTHING)");
    }
    if (r.name.empty())
        refuse(r, r.many_to_many() ? "a many_to_many relation needs a name such as 'books.categories'"
                                   : "name is empty");
    if (!r.default_value.is_null() && r.action() != OnDelete::SetDefault)
        refuse(r, "default_value is only used by on_delete SET_DEFAULT");
    if (r.related_name.find('.') != std::string::npos)
        refuse(r, "related_name '" + r.related_name + "' may not contain '.'");

    // Relation names and reverse names share one namespace, as Django's accessors do.
    std::optional<std::string> reverse = r.reverse_name();
    if (reverse && *reverse == r.name) refuse(r, "its reverse name " + *reverse + " equals its own name");
    for (const Relation& other : others) {
        if (other.id == r.id) continue;
        std::optional<std::string> other_reverse = other.reverse_name();
        if (other.name == r.name) refuse(r, "a relation with this name already exists");
        if (other_reverse && *other_reverse == r.name)
            refuse(r, "the name clashes with the reverse name of relation " + other.name);
        if (reverse && (*reverse == other.name || (other_reverse && *other_reverse == *reverse)))
            refuse(r, "reverse name " + *reverse + " clashes with relation " + other.name +
                          "; set a different related_name (or '+' for none)");
    }
    if (auto problem = schema_problem(r, tables, junction_pending)) refuse(r, *problem);
    if (auto dangling = dangling_references(tables.db(), r, tables)) refuse(r, *dangling);
    if (r.parsed_kind() == Kind::OneToOne) {
        std::string column = quote_id(*r.from_column);
        Stmt dup(tables.db(), "SELECT " + column + ", count(*) FROM " + quote_id(r.from_table) + " WHERE " +
                                  column + " IS NOT NULL GROUP BY 1 HAVING count(*) > 1 LIMIT 1");
        if (dup.step())
            refuse(r, "one_to_one needs unique values, but " + r.from_table + "." + *r.from_column + " = " +
                          dup.value(0).text() + " appears in " + std::to_string(dup.integer(1)) + " rows");
    }
}

bool create_junction_table(const Relation& r, TableCache& tables) {
    if (!r.many_to_many() || !r.through_table || tables.find(*r.through_table)) return false;
    const Table* from = tables.find(r.from_table);
    const Table* to = tables.find(r.to_table);
    // Without both sides and their keys there is nothing to create; validate() says what is wrong.
    if (!from || !to || !from->primary_key() || !to->column(r.to_column)) return false;
    auto key_type = [](const Table& table, const std::string& column) {
        std::string type = table.column(column)->type;
        return type.empty() ? std::string("INTEGER") : type;
    };
    std::string from_key = quote_id(*r.through_from_column), to_key = quote_id(*r.through_to_column);
    exec(tables.db(), "CREATE TABLE " + quote_id(*r.through_table) + " (\"id\" INTEGER PRIMARY KEY, " + from_key +
                          " " + key_type(*from, *from->primary_key()) + " NOT NULL, " + to_key + " " +
                          key_type(*to, r.to_column) + " NOT NULL, UNIQUE (" + from_key + ", " + to_key + "))");
    tables.forget(*r.through_table);
    return true;
}

std::optional<std::string> dangling_references(sqlite3* db, const Relation& r, TableCache& tables) {
    struct Ref {
        std::string table, column;
        std::string to_table, to_column;
    };
    std::vector<Ref> refs;
    if (r.many_to_many()) {
        if (!tables.find(*r.through_table)) return std::nullopt;
        refs.push_back({*r.through_table, *r.through_from_column, r.from_table,
                        *tables.find(r.from_table)->primary_key()});
        refs.push_back({*r.through_table, *r.through_to_column, r.to_table, r.to_column});
    } else {
        refs.push_back({r.from_table, *r.from_column, r.to_table, r.to_column});
    }
    for (const Ref& ref : refs) {
        std::string column = quote_id(ref.column);
        Stmt s(db, "SELECT count(*), min(" + column + ") FROM " + quote_id(ref.table) + " AS r WHERE r." +
                       column + " IS NOT NULL AND NOT EXISTS (SELECT 1 FROM " + quote_id(ref.to_table) +
                       " AS p WHERE p." + quote_id(ref.to_column) + " = +r." + column + ")");
        s.step();
        if (s.integer(0) > 0)
            return std::to_string(s.integer(0)) + " row(s) of " + ref.table + " reference missing " +
                   ref.to_table + "." + ref.to_column + " (first: " + ref.table + "." + ref.column + " = " +
                   s.value(1).text() + ")";
    }
    return std::nullopt;
}

}  // namespace covet::ext
