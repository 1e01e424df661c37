// What a relation name resolves to, and the SELECT of its pairs: see related_pairs.hpp.
#include "related_pairs.hpp"
#include "relation.hpp"

#include <algorithm>

namespace covet::ext {

namespace {

constexpr std::size_t resolved_cache_limit = 256;

[[noreturn]] void no_relation_named(std::string_view function, std::string_view name) {
    throw Error("covet: " + std::string(function) + ": no relation named '" + std::string(name) +
                "'; name a relation by its name, like books.author, or by its reverse name "
                "<to_table>.<related_name>, like authors.books (SELECT name, to_table, related_name "
                "FROM covet_relations lists them)");
}

// A column of the store as Relation holds it (set_column): NULL reads as the empty string.
std::string_view text_of(const Value& v, std::string& buffer) {
    if (v.type == SQLITE_TEXT) return v.bytes;
    buffer = v.is_null() ? "" : v.text();
    return buffer;
}

bool same_value(const Value& a, const Value& b) {
    if (a.type != b.type) return false;
    switch (a.type) {
    case SQLITE_INTEGER: return a.integer == b.integer;
    case SQLITE_FLOAT: return a.real == b.real;
    case SQLITE_TEXT:
    case SQLITE_BLOB: return a.bytes == b.bytes;
    default: return true;
    }
}

bool same_row(const std::vector<Value>& a, const std::vector<Value>& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), same_value);
}

std::string key_of(const Table& table) {
    std::optional<std::string> key = table.primary_key();
    return key ? quote_id(*key) : *table.row_identity();
}

// SQLite's rule for the affinity of a declared type, TEXT: no "INT", and "CHAR", "CLOB" or "TEXT".
bool has_text_affinity(const Table& table, std::string_view column) {
    const Column* c = table.column(column);
    if (!c) return false;  // "": the rowid
    std::string type;
    for (char ch : c->type) type += static_cast<char>(ch >= 'a' && ch <= 'z' ? ch - 'a' + 'A' : ch);
    auto has = [&](const char* part) { return type.find(part) != std::string::npos; };
    return !has("INT") && (has("CHAR") || has("CLOB") || has("TEXT"));
}

// A unique index (the primary key's included) on exactly these two columns, or nullptr.
const Index* unique_pair_index(const Table& table, std::string_view a, std::string_view b) {
    auto on_pair = [&](const Index& index) {
        return index.unique && !index.partial && index.columns.size() == 2 &&
               ((same_name(index.columns[0], a) && same_name(index.columns[1], b)) ||
                (same_name(index.columns[0], b) && same_name(index.columns[1], a)));
    };
    auto it = std::find_if(table.indexes.begin(), table.indexes.end(), on_pair);
    return it == table.indexes.end() ? nullptr : &*it;
}

// "column = ?n", compared as the unique index compares the column: at most one row then matches.
std::string equal_in_index(const Index& index, std::string_view column, const char* parameter) {
    const std::size_t at = same_name(index.columns[0], column) ? 0 : 1;
    return quote_id(column) + " = " + parameter + " COLLATE " + quote_id(index.collations[at]);
}

// SELECT identity FROM the junction WHERE source = ?1 AND target = ?2: the row of a pair.
std::string identity_lookup_sql(const PairSource& p, const Index& index, std::string_view source,
                                std::string_view target) {
    return "SELECT " + p.identity + " FROM main." + quote_id(p.table) + " WHERE " +
           equal_in_index(index, source, "?1") + " AND " + equal_in_index(index, target, "?2");
}

// Where the identity of a pair's row comes from (RelationPairs::identity_column). It is often the
// source or target key itself (the primary key of from_table): then it costs nothing more per
// pair. A junction row's is a column of its own, but where the junction is unique on the pair (as
// covet's are), the pair names its row: xRowid, which SQLite calls only to combine scans (OR
// terms) or for SELECT rowid, looks it up, and a scan reads the pair alone (reading the identity
// from the junction's index cost about 150 instructions per pair).
int identity_column(const PairSource& p, bool unique_pair) {
    if (p.identity == p.source) return 0;
    if (p.identity == p.target) return 1;
    return unique_pair ? looked_up : 2;
}

}  // namespace

std::uint64_t fnv1a(std::string_view bytes, std::uint64_t hash) {
    for (unsigned char c : bytes) {
        hash ^= c;
        hash *= 1099511628211ull;
    }
    return hash;
}

// Finds the stored row of the relation named name into found_: the relation of that name,
// else the first one, by id, of that reverse name. False when there is none.
bool RelationResolver::find_stored(std::string_view name) {
    sqlite3* db = db_;
    if (!read_relation_) {
        if (!store_exists(db)) return false;
        // Narrows the store down to the rows that can match (usually one); the choice is made below.
        read_relation_.emplace(db, std::string("SELECT id, ") +
                                           join({std::begin(relation_columns), std::end(relation_columns)}, ", ") +
                                           " FROM main." + relation_store +
                                           " WHERE name = ?1 OR to_table || '.' || related_name = ?1");
    }
    struct Reset {
        std::optional<Stmt>& s;
        ~Reset() {
            if (s) s->reset();
        }
    } reset{read_relation_};
    Stmt& s = *read_relation_;
    std::vector<Value>& row = scratch_;
    std::string buffer[3];
    bool found = false;
    try {
        s.bind(1, name);
        while (s.step()) {
            row.resize(relation_column_count + 1);  // empty when it was swapped with an empty found.row
            for (int c = 0; c <= relation_column_count; ++c) row[c].assign(sqlite3_column_value(s.get(), c));
            if (text_of(row[1], buffer[0]) == name) {  // names are unique
                std::swap(found_.row, row);
                found_.reverse = false;
                return true;
            }
            std::string_view table = text_of(row[5], buffer[1]), related = text_of(row[8], buffer[2]);
            bool reverse = related != "+" && name.size() == table.size() + 1 + related.size() &&
                           name.substr(0, table.size()) == table && name[table.size()] == '.' &&
                           name.substr(table.size() + 1) == related;
            if (reverse && (!found || row[0].integer < found_.row[0].integer)) {
                std::swap(found_.row, row);
                found_.reverse = found = true;
            }
        }
    } catch (const Error&) {
        if (store_exists(db)) throw;
        read_relation_.reset();  // the store was dropped
        return false;
    }
    return found;
}

RelationPairs RelationResolver::resolve_row(std::string_view name) const {
    const Stored& stored = found_;
    Relation r;
    r.id = stored.row[0].integer;
    for (int c = 0; c < relation_column_count; ++c) set_column(r, c, stored.row[c + 1]);
    TableCache tables(db_);
    if (std::optional<std::string> problem = schema_problem(r, tables))
        throw Error("covet: " + function_ + ": relation " + r.name + " no longer matches the schema: " + *problem);

    RelationPairs out;
    out.row = stored.row;
    PairSource& p = out.pairs;
    if (r.many_to_many()) {
        const Table& junction = *tables.find(*r.through_table);
        p = {junction.name, quote_id(*r.through_from_column), quote_id(*r.through_to_column),
             *junction.row_identity()};
    } else {
        const Table& from = *tables.find(r.from_table);
        p = {from.name, key_of(from), quote_id(*r.from_column), *from.row_identity()};
    }
    // The source column, unquoted ("" for the rowid), and its table.
    const Table& table = *tables.find(r.many_to_many() ? *r.through_table : r.from_table);
    std::string source_column = r.many_to_many() ? (stored.reverse ? *r.through_to_column : *r.through_from_column)
                                : stored.reverse ? *r.from_column
                                                 : table.primary_key().value_or("");
    out.text_source = has_text_affinity(table, source_column);
    if (stored.reverse) std::swap(p.source, p.target);
    const Index* pair_index =
        r.many_to_many() ? unique_pair_index(table, *r.through_from_column, *r.through_to_column) : nullptr;
    out.identity_column = identity_column(p, pair_index != nullptr);
    if (out.identity_column == looked_up) {
        const std::string& target_column = stored.reverse ? *r.through_from_column : *r.through_to_column;
        out.identity_sql = identity_lookup_sql(p, *pair_index, source_column, target_column);
    }
    out.salt = fnv1a(name);
    return out;
}

// The relation named name, resolved again only when the schema or its stored row changed since.
RelationPairs& RelationResolver::resolve(std::string_view name) {
    if (!read_schema_version_) read_schema_version_.emplace(db_, "PRAGMA main.schema_version");
    Stmt& version = *read_schema_version_;
    std::int64_t schema_version = version.step() ? version.integer(0) : -1;
    version.reset();
    if (schema_version != schema_version_) {
        resolved_.clear();
        schema_version_ = schema_version;
    }
    if (!find_stored(name)) no_relation_named(function_, name);
    auto it = resolved_.find(name);
    if (it != resolved_.end() && same_row(it->second.row, found_.row)) return it->second;
    RelationPairs fresh = resolve_row(name);
    if (it != resolved_.end()) {
        it->second = std::move(fresh);
        return it->second;
    }
    if (resolved_.size() >= resolved_cache_limit) resolved_.clear();
    return resolved_.emplace(std::string(name), std::move(fresh)).first->second;
}

std::string pairs_select(const RelationPairs& r, bool read_source, bool with_identity, std::string_view conditions) {
    const PairSource& p = r.pairs;
    // (SQLite drops the IS NOT NULL terms itself where the column cannot be NULL.)
    return "SELECT " + (read_source ? p.source : "NULL") + " AS source, " + p.target + " AS target" +
           (with_identity ? ", " + p.identity : "") + " FROM main." + quote_id(p.table) + " WHERE " + p.source +
           " IS NOT NULL AND " + p.target + " IS NOT NULL" + std::string(conditions);
}

std::string keys_condition(const RelationPairs& r, std::string_view parameter) {
    return " AND " + r.pairs.source + " IN (SELECT value FROM " + keys_source(parameter) + ")";
}

}  // namespace covet::ext
