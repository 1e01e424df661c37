/*
** related(): the pairs of keys one relation links, as a table to join.
**
**   SELECT source, target FROM related('books.author');             -- every (book, author) pair
**   SELECT target FROM related('authors.books', 7);                 -- the books of author 7
**   SELECT target FROM related('authors.books', '[1,2,3]');         -- keys as a JSON array
**   SELECT * FROM related('books.categories') WHERE source IN (1, 2);
**   SELECT r.source AS author, b.* FROM related('authors.books', '[1,2,3]') r
**     JOIN books b ON b.id = r.target;                              -- books searched by primary key
**   SELECT * FROM covet_related('authors.books', 7);                -- when a table named related exists
**
** The first argument (hidden column `relation`) names a relation: by its name, from the rows that
** hold the reference to the rows they point at (books.author, books.categories), or by its reverse
** name <to_table>.<related_name>, back again (authors.books, categories.books). The second (hidden
** column `keys`) is one key or a JSON array of keys of the source side; without it, every pair.
**
**   foreign_key, one_to_one  books.author      source = the book's primary key, target = author_id
**                            authors.books     source = author_id, target = the book's primary key
**   many_to_many             books.categories  source, target = the junction's two key columns
**                            categories.books  the same, swapped
**
** A primary key is the table's single-column primary key, else its rowid. NULL keys relate
** nothing: a pair never holds NULL. `WHERE source = ?` and `WHERE source IN (...)` narrow the scan
** like the keys argument does (SQLite then re-checks them with its own comparison rules).
**
** An eponymous, read-only virtual table. Each scan runs one SELECT over the table holding the
** pairs (from_table, or the junction), searched by the key covet indexes; those statements are
** kept per connection, keyed by their SQL text, and reused. What a relation name resolves to (its
** table, key columns, row identity, the SQL of its scans) is kept per connection too: each scan
** only reads the schema version and the relation's stored row, two kept statements, and resolves
** the name again when either changed. A scan per outer row (a join on related's keys) so costs a
** few microseconds more than the same index search written by hand, plus the price of SQLite's
** virtual table interface per pair: the inner statement's step and a column read per column the
** query uses. A scan reads no more than that: not the source when the query does not use it (a
** join that finds it in the joined row), and not a junction row's own identity (the rowid) where
** the junction is unique on the pair: xRowid, which only OR terms and SELECT rowid need, finds it.
*/
#include "modules.hpp"
#include "relation.hpp"
#include "vtab.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <map>
#include <optional>
#include <vector>

namespace covet::ext {

namespace {

enum RelatedColumn { source_column, target_column, relation_column, keys_column };

// RelatedCursor::identity_column when xRowid looks the identity up rather than every pair reading it.
constexpr int looked_up = -1;

// idxNum bits: which arguments xFilter receives, in this order. 0: no relation was given.
constexpr int with_relation = 1, with_keys = 2, with_source_eq = 4, with_source_in = 8;
// idxNum bit: the query never reads the source column (sqlite3_index_info::colUsed), as a join that
// finds it in the joined row (the reverse of a foreign key) need not.
constexpr int source_unused = 16;
constexpr int idx_nums = 32;  // every combination of the bits above

// How xFilter passes the keys argument to the inner statement, by what the value is.
enum KeysForm {
    keys_any,    // one key or a JSON array, SQLite decides: keys_source()
    keys_one,    // certainly one key, the same once through json_array() and json_each(): = ?1
};
constexpr int keys_forms = 3;

constexpr double scan_cost = 1e6;               // a full scan of a table of unknown size
constexpr double missing_relation_cost = 1e18;  // a plan that only reports the missing argument
constexpr double rows_per_key = 10;             // an index search per key
constexpr double unknown_key_count = 10;        // keys that are not a literal, values of IN (...)
constexpr std::size_t statement_cache_limit = 64;
constexpr std::size_t resolved_cache_limit = 256;

// The table holding the pairs of a relation seen from one side, and the SQL expressions of its
// source key, target key and row identity.
struct PairSource {
    std::string table, source, target, identity;
};

// A relation name resolved to the statements that read its pairs, valid while the schema and the
// relation's stored row stay as they were.
struct Resolved {
    std::vector<Value> row;  // the stored row it was resolved from: id, then relation_columns
    PairSource pairs;
    int identity_column = 2;   // of the inner statement, see RelatedCursor
    std::string identity_sql;  // identity_column looked_up: SELECT identity ... WHERE source = ?1 AND target = ?2
    bool text_source = false;  // has the source column TEXT affinity?
    std::uint64_t salt = 0;    // mixed into rowids so that different relations give different ones
    // The inner statement by KeysForm and idx_num, built on first use.
    std::array<std::string, keys_forms * idx_nums> sql;
};

// A row of the store (id, then relation_columns), and whether it was found by its reverse name.
struct StoredRelation {
    std::vector<Value> row;
    bool reverse = false;
};

struct RelatedVtab {
    Vtab vtab;  // first, so that connection_of() and SQLite see the usual table struct
    std::map<std::string, Stmt> idle;  // prepared inner statements no cursor is using, by SQL
    // Relation names resolved under schema_version, by name. Each xFilter reads the schema version
    // and the relation's stored row with the two statements below, and resolves the name again
    // only when either changed: a relation can be renamed or pointed elsewhere without a schema
    // change, and a schema change can alter keys and row identities without touching the row.
    std::map<std::string, Resolved, std::less<>> resolved;
    std::int64_t schema_version = -1;
    std::optional<Stmt> read_schema_version;  // PRAGMA main.schema_version
    std::optional<Stmt> read_relation;        // the stored rows that may be the named relation
    StoredRelation found;                     // what read_relation found last
    std::vector<Value> scratch;               // a row read by read_relation
};

RelatedVtab& related_vtab(sqlite3_vtab* vtab) { return *reinterpret_cast<RelatedVtab*>(vtab); }

struct RelatedCursor {
    sqlite3_vtab_cursor base;
    Value relation, keys;       // the arguments, as the hidden columns show them
    std::string sql;            // of inner, its key in the statement cache
    std::optional<Stmt> inner;  // SELECT source, target[, row identity]; nullopt at the end
    // The column of inner that holds the identity of the row holding the pair: 0 or 1 when it is
    // the source or target key itself, 2 when selected for it, looked_up when the pair is unique
    // and identity_sql finds it.
    int identity_column = 2;
    std::string identity_sql;
    std::uint64_t salt = 0;     // mixed into rowids so that different relations give different ones
};

RelatedCursor& cursor_of(sqlite3_vtab_cursor* base) { return *reinterpret_cast<RelatedCursor*>(base); }

std::uint64_t fnv1a(std::string_view bytes, std::uint64_t hash = 14695981039346656037ull) {
    for (unsigned char c : bytes) {
        hash ^= c;
        hash *= 1099511628211ull;
    }
    return hash;
}

[[noreturn]] void no_relation_named(std::string_view name) {
    throw Error("covet: related(): no relation named '" + std::string(name) +
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


// Finds the stored row of the relation named name into vtab.found: the relation of that name,
// else the first one, by id, of that reverse name. False when there is none.
bool find_stored_relation(RelatedVtab& vtab, std::string_view name) {
    sqlite3* db = vtab.vtab.db;
    if (!vtab.read_relation) {
        if (!store_exists(db)) return false;
        // Narrows the store down to the rows that can match (usually one); the choice is made below.
        vtab.read_relation.emplace(db, std::string("SELECT id, ") +
                                           join({std::begin(relation_columns), std::end(relation_columns)}, ", ") +
                                           " FROM main." + relation_store +
                                           " WHERE name = ?1 OR to_table || '.' || related_name = ?1");
    }
    struct Reset {
        std::optional<Stmt>& s;
        ~Reset() {
            if (s) s->reset();
        }
    } reset{vtab.read_relation};
    Stmt& s = *vtab.read_relation;
    std::vector<Value>& row = vtab.scratch;
    std::string buffer[3];
    bool found = false;
    try {
        s.bind(1, name);
        while (s.step()) {
            row.resize(relation_column_count + 1);  // empty when it was swapped with an empty found.row
            for (int c = 0; c <= relation_column_count; ++c) row[c].assign(sqlite3_column_value(s.get(), c));
            if (text_of(row[1], buffer[0]) == name) {  // names are unique
                std::swap(vtab.found.row, row);
                vtab.found.reverse = false;
                return true;
            }
            std::string_view table = text_of(row[5], buffer[1]), related = text_of(row[8], buffer[2]);
            bool reverse = related != "+" && name.size() == table.size() + 1 + related.size() &&
                           name.substr(0, table.size()) == table && name[table.size()] == '.' &&
                           name.substr(table.size() + 1) == related;
            if (reverse && (!found || row[0].integer < vtab.found.row[0].integer)) {
                std::swap(vtab.found.row, row);
                vtab.found.reverse = found = true;
            }
        }
    } catch (const Error&) {
        if (store_exists(db)) throw;
        vtab.read_relation.reset();  // the store was dropped
        return false;
    }
    return found;
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

// Where the identity of a pair's row comes from (RelatedCursor::identity_column). It is often the
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

Resolved resolve_row(sqlite3* db, std::string_view name, const StoredRelation& stored) {
    Relation r;
    r.id = stored.row[0].integer;
    for (int c = 0; c < relation_column_count; ++c) set_column(r, c, stored.row[c + 1]);
    TableCache tables(db);
    if (std::optional<std::string> problem = schema_problem(r, tables))
        throw Error("covet: related(): relation " + r.name + " no longer matches the schema: " + *problem);

    Resolved out;
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
Resolved& resolve(RelatedVtab& vtab, std::string_view name) {
    if (!vtab.read_schema_version) vtab.read_schema_version.emplace(vtab.vtab.db, "PRAGMA main.schema_version");
    Stmt& version = *vtab.read_schema_version;
    std::int64_t schema_version = version.step() ? version.integer(0) : -1;
    version.reset();
    if (schema_version != vtab.schema_version) {
        vtab.resolved.clear();
        vtab.schema_version = schema_version;
    }
    if (!find_stored_relation(vtab, name)) no_relation_named(name);
    auto it = vtab.resolved.find(name);
    if (it != vtab.resolved.end() && same_row(it->second.row, vtab.found.row)) return it->second;
    Resolved fresh = resolve_row(vtab.vtab.db, name, vtab.found);
    if (it != vtab.resolved.end()) {
        it->second = std::move(fresh);
        return it->second;
    }
    if (vtab.resolved.size() >= resolved_cache_limit) vtab.resolved.clear();
    return vtab.resolved.emplace(std::string(name), std::move(fresh)).first->second;
}

// source IN (SELECT value FROM json_each(...)) compares as two columns would: NUMERIC affinity when
// the source column has a numeric one, else none. source = ?1 applies the column's affinity
// instead, which differs only for a TEXT column and a number (a REAL goes to keys_any anyway).
KeysForm keys_form(const Value& keys, bool text_source) {
    switch (keys.type) {
    case SQLITE_INTEGER: return text_source ? keys_any : keys_one;
    case SQLITE_NULL: return keys_one;  // NULL: = NULL finds nothing, as json_array(NULL) does
    case SQLITE_TEXT: {
        const std::string& text = keys.bytes;
        // A JSON array starts with '[', after white space (all below '!'). A text with no control
        // character comes back from json_array() and json_each() unchanged.
        auto byte = [](char c) { return static_cast<unsigned char>(c); };
        bool one = !text.empty() && byte(text[0]) > ' ' && text[0] != '[' &&
                   std::all_of(text.begin(), text.end(), [&](char c) { return byte(c) >= ' '; });
        return one ? keys_one : keys_any;
    }
    default: return keys_any;  // a REAL goes through json_array() as SQLite prints it
    }
}

// SELECT source, target[, identity] FROM the table, narrowed by the arguments xFilter receives:
// ?1 the keys argument, ?2 the value of source = ? or a JSON array of the values of source IN (...).
// NULL in place of a source nothing reads: neither the query nor xRowid (an index column not read
// is one opcode less per pair). (SQLite drops the IS NOT NULL terms itself where the column cannot
// be NULL.)
std::string inner_sql(const Resolved& r, int idx_num, KeysForm form) {
    const PairSource& p = r.pairs;
    const bool read_source = !(idx_num & source_unused) || r.identity_column == 0 || r.identity_column == looked_up;
    std::string sql = "SELECT " + (read_source ? p.source : "NULL") + ", " + p.target +
                      (r.identity_column == 2 ? ", " + p.identity : "") +
                      " FROM main." + quote_id(p.table) + " WHERE " + p.source + " IS NOT NULL AND " + p.target +
                      " IS NOT NULL";
    if (idx_num & with_keys) {
        switch (form) {
        case keys_any: sql += " AND " + p.source + " IN (SELECT value FROM " + keys_source("?1") + ")"; break;
        case keys_one: sql += " AND " + p.source + " = ?1"; break;
        }
    }
    if (idx_num & with_source_eq) sql += " AND " + p.source + " = ?2";
    if (idx_num & with_source_in) sql += " AND " + p.source + " IN (SELECT value FROM json_each(?2))";
    return sql;
}

std::string json_number(double real) {
    char buffer[40];
    std::snprintf(buffer, sizeof buffer, "%.17g", real);
    std::string out = buffer;
    if (out.find_first_of(".eni") == std::string::npos) out += ".0";  // stays a real
    if (out == "inf") out = "9e999";
    if (out == "-inf") out = "-9e999";
    return out;
}

// The values on the right of source IN (...), handed over all at once, as a JSON array.
std::string in_values_json(sqlite3_value* list) {
    std::vector<std::string> items;
    sqlite3_value* v = nullptr;
    int rc = sqlite3_vtab_in_first(list, &v);
    for (; rc == SQLITE_OK && v; rc = sqlite3_vtab_in_next(list, &v)) {
        switch (sqlite3_value_type(v)) {
        case SQLITE_INTEGER: items.push_back(std::to_string(sqlite3_value_int64(v))); break;
        case SQLITE_FLOAT: items.push_back(json_number(sqlite3_value_double(v))); break;
        case SQLITE_TEXT: items.push_back(json_string(Value::from(v).bytes)); break;
        case SQLITE_BLOB: throw Error("covet: related(): BLOB keys are not supported in source IN (...)");
        default: break;  // NULL matches nothing
        }
    }
    if (rc != SQLITE_OK && rc != SQLITE_DONE)
        throw Error("covet: related(): cannot read the values of source IN (...)", rc);
    return "[" + join(items, ",") + "]";
}

// How many keys a literal keys argument holds: the elements of a JSON array, else one.
double key_count(sqlite3_index_info* info, int constraint) {
    sqlite3_value* value = nullptr;
    if (sqlite3_vtab_rhs_value(info, constraint, &value) != SQLITE_OK || !value) return unknown_key_count;
    if (sqlite3_value_type(value) != SQLITE_TEXT) return 1;
    std::string_view text(reinterpret_cast<const char*>(sqlite3_value_text(value)),
                          static_cast<std::size_t>(sqlite3_value_bytes(value)));
    std::size_t start = text.find_first_not_of(" \t\r\n");
    if (start == std::string_view::npos || text[start] != '[') return 1;
    double count = 1;
    int depth = 0;
    bool in_string = false, escaped = false;
    for (char c : text.substr(start)) {
        if (in_string) {
            if (escaped) escaped = false;
            else if (c == '\\') escaped = true;
            else if (c == '"') in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            ++depth;
        } else if (c == ']' || c == '}') {
            --depth;
        } else if (c == ',' && depth == 1) {
            ++count;
        }
    }
    return count;
}

// Puts the cursor's statement back among the idle ones (or finalizes it, when an equal one is
// already there).
void give_back(sqlite3_vtab* vtab, const std::string& sql, Stmt stmt) {
    stmt.reset();
    auto& idle = related_vtab(vtab).idle;
    if (idle.size() >= statement_cache_limit) idle.clear();
    idle.try_emplace(sql, std::move(stmt));
}

void release(RelatedCursor& cursor) {
    if (!cursor.inner) return;
    give_back(cursor.base.pVtab, cursor.sql, std::move(*cursor.inner));
    cursor.inner.reset();
}

Stmt acquire(sqlite3_vtab* vtab, const std::string& sql) {
    auto node = related_vtab(vtab).idle.extract(sql);
    if (node) return std::move(node.mapped());
    return Stmt(connection_of(vtab), sql);
}

void step(RelatedCursor& cursor) {
    if (!cursor.inner->step()) release(cursor);
}

int related_connect(sqlite3* db, void*, int, const char* const*, sqlite3_vtab** out, char** error) {
    return guarded(error, [&] {
        int rc = sqlite3_declare_vtab(db, "CREATE TABLE x(source, target, relation HIDDEN, keys HIDDEN)");
        if (rc != SQLITE_OK) return rc;
        sqlite3_vtab_config(db, SQLITE_VTAB_INNOCUOUS);
        auto* vtab = new RelatedVtab;
        vtab->vtab.db = db;
        *out = &vtab->vtab.base;
        return SQLITE_OK;
    });
}

// The relation must be an EQ constraint that can be used; a plan without it is refused so that
// SQLite orders the join to provide it. With no relation constraint at all, the plan is accepted
// at a prohibitive cost and xFilter reports the missing argument. The keys argument and a source
// EQ or IN constraint each make the scan an index search per key.
int related_best_index(sqlite3_vtab* vtab, sqlite3_index_info* info) {
    return guarded(&vtab->zErrMsg, [&] {
        int relation = -1, keys = -1, source = -1;
        bool relation_named = false, keys_unusable = false;
        for (int i = 0; i < info->nConstraint; ++i) {
            const auto& c = info->aConstraint[i];
            if (c.op != SQLITE_INDEX_CONSTRAINT_EQ) continue;
            if (c.iColumn == relation_column) {
                relation_named = true;
                if (c.usable && relation < 0) relation = i;
            } else if (c.iColumn == keys_column) {
                if (!c.usable) keys_unusable = true;
                else if (keys < 0) keys = i;
            } else if (c.iColumn == source_column && c.usable && source < 0) {
                source = i;
            }
        }
        if (!relation_named) {
            info->idxNum = 0;
            info->estimatedCost = missing_relation_cost;
            info->estimatedRows = static_cast<sqlite3_int64>(scan_cost);
            return SQLITE_OK;
        }
        // Without the relation nothing can be read; without the keys every pair would be.
        if (relation < 0 || keys_unusable) return SQLITE_CONSTRAINT;

        int argc = 0;
        info->idxNum = with_relation | (info->colUsed & (1 << source_column) ? 0 : source_unused);
        info->aConstraintUsage[relation] = {++argc, 1};
        double count = -1;  // keys searched; -1: a full scan
        if (keys >= 0) {
            info->idxNum |= with_keys;
            info->aConstraintUsage[keys] = {++argc, 1};
            count = key_count(info, keys);
        }
        if (source >= 0) {
            info->aConstraintUsage[source] = {++argc, 0};
            double values = 1;
            if (sqlite3_vtab_in(info, source, -1)) {
                sqlite3_vtab_in(info, source, 1);
                info->idxNum |= with_source_in;
                values = unknown_key_count;
            } else {
                info->idxNum |= with_source_eq;
            }
            count = count < 0 ? values : std::min(count, values);
        }
        if (count < 0) {
            info->estimatedCost = scan_cost;
            info->estimatedRows = static_cast<sqlite3_int64>(scan_cost);
        } else {
            count = std::max(count, 1.0);
            info->estimatedCost = rows_per_key * count;
            info->estimatedRows = static_cast<sqlite3_int64>(rows_per_key * count);
        }
        info->idxStr = sqlite3_mprintf("relation%s%s", keys >= 0 ? " keys" : "",
                                       info->idxNum & with_source_in   ? " source IN"
                                       : info->idxNum & with_source_eq ? " source ="
                                                                       : "");
        if (!info->idxStr) return SQLITE_NOMEM;
        info->needToFreeIdxStr = 1;
        return SQLITE_OK;
    });
}

int related_disconnect(sqlite3_vtab* vtab) {
    delete &related_vtab(vtab);  // finalizes the kept statements: no cursor is open any more
    return SQLITE_OK;
}

int related_open(sqlite3_vtab*, sqlite3_vtab_cursor** out) {
    *out = &(new (std::nothrow) RelatedCursor{})->base;
    return *out ? SQLITE_OK : SQLITE_NOMEM;
}

int related_close(sqlite3_vtab_cursor* base) {
    int rc = guarded(&base->pVtab->zErrMsg, [&] {
        release(cursor_of(base));
        return SQLITE_OK;
    });
    delete &cursor_of(base);
    return rc;
}

int related_filter(sqlite3_vtab_cursor* base, int idx_num, const char*, int argc, sqlite3_value** argv) {
    RelatedCursor& cursor = cursor_of(base);
    return guarded(&base->pVtab->zErrMsg, [&] {
        release(cursor);
        if (!(idx_num & with_relation))
            throw Error("covet: related(): the relation argument is required, as in related('authors.books', 7), "
                        "related('books.author') or WHERE relation = 'books.author'");
        int arg = 0;
        auto next_arg = [&] {
            if (arg >= argc) throw Error("covet: related(): internal error: missing xFilter argument");
            return argv[arg++];
        };
        cursor.relation = Value::from(next_arg());
        cursor.keys = idx_num & with_keys ? Value::from(next_arg()) : Value{};
        sqlite3_value* source = idx_num & (with_source_eq | with_source_in) ? next_arg() : nullptr;
        if (cursor.relation.type != SQLITE_TEXT)
            throw Error("covet: related(): the relation argument must be a relation name such as 'books.author', "
                        "not " + (cursor.relation.is_null() ? std::string("NULL") : literal(cursor.relation)));
        if (cursor.keys.type == SQLITE_BLOB)
            throw Error("covet: related(" + quote_text(cursor.relation.bytes) +
                        ", ...): keys must be one key or a JSON array of keys, not a BLOB");

        RelatedVtab& vtab = related_vtab(base->pVtab);
        Resolved& resolved = resolve(vtab, cursor.relation.bytes);
        KeysForm form = idx_num & with_keys ? keys_form(cursor.keys, resolved.text_source) : keys_any;
        std::string& sql = resolved.sql[static_cast<std::size_t>(form * idx_nums + (idx_num & (idx_nums - 1)))];
        if (sql.empty()) sql = inner_sql(resolved, idx_num, form);
        cursor.sql = sql;
        cursor.salt = resolved.salt;
        cursor.identity_column = resolved.identity_column;
        cursor.identity_sql = resolved.identity_sql;
        cursor.inner.emplace(acquire(base->pVtab, cursor.sql));
        if (idx_num & with_keys) cursor.inner->bind(1, cursor.keys);
        if (idx_num & with_source_eq) cursor.inner->bind(2, Value::from(source));
        if (idx_num & with_source_in) cursor.inner->bind(2, in_values_json(source));
        step(cursor);
        return SQLITE_OK;
    });
}

int related_next(sqlite3_vtab_cursor* base) {
    return guarded(&base->pVtab->zErrMsg, [&] {
        step(cursor_of(base));
        return SQLITE_OK;
    });
}

int related_eof(sqlite3_vtab_cursor* base) { return !cursor_of(base).inner; }

int related_column(sqlite3_vtab_cursor* base, sqlite3_context* ctx, int column) {
    RelatedCursor& cursor = cursor_of(base);
    switch (column) {
    case source_column:
    case target_column: {
        sqlite3_value* value = sqlite3_column_value(cursor.inner->get(), column);
        if (sqlite3_value_type(value) == SQLITE_INTEGER) sqlite3_result_int64(ctx, sqlite3_value_int64(value));
        else sqlite3_result_value(ctx, value);
        break;
    }
    case relation_column: cursor.relation.result(ctx); break;
    default: cursor.keys.result(ctx); break;
    }
    return SQLITE_OK;
}

std::uint64_t value_hash(sqlite3_value* value) {
    if (sqlite3_value_type(value) == SQLITE_INTEGER) return static_cast<std::uint64_t>(sqlite3_value_int64(value));
    Value v = Value::from(value);
    return fnv1a(v.type == SQLITE_BLOB ? v.bytes : v.text(), fnv1a(std::to_string(v.type)));
}


// The identity of the row holding the current pair of a unique pair's table, found by the pair.
std::uint64_t looked_up_identity(RelatedCursor& cursor) {
    sqlite3_stmt* pair = cursor.inner->get();
    Stmt lookup = acquire(cursor.base.pVtab, cursor.identity_sql);
    lookup.bind(1, Value::from(sqlite3_column_value(pair, source_column)));
    lookup.bind(2, Value::from(sqlite3_column_value(pair, target_column)));
    if (!lookup.step()) throw Error("covet: related(): internal error: the row of a pair was not found");
    std::uint64_t identity = value_hash(sqlite3_column_value(lookup.get(), 0));
    give_back(cursor.base.pVtab, cursor.identity_sql, std::move(lookup));
    return identity;
}

// The identity of the row holding the pair (a hash of it when it is not an integer), salted by the
// relation: stable and distinct, so that SQLite can tell rows apart when it combines the results
// of several scans (OR terms).
int related_rowid(sqlite3_vtab_cursor* base, sqlite3_int64* rowid) {
    RelatedCursor& cursor = cursor_of(base);
    return guarded(&base->pVtab->zErrMsg, [&] {
        sqlite3_stmt* stmt = cursor.inner->get();
        std::uint64_t identity = cursor.identity_column == looked_up
                                     ? looked_up_identity(cursor)
                                     : value_hash(sqlite3_column_value(stmt, cursor.identity_column));
        *rowid = static_cast<sqlite3_int64>(identity ^ cursor.salt);
        return SQLITE_OK;
    });
}

sqlite3_module related_module = {
    /* iVersion    */ 0,
    /* xCreate     */ nullptr,  // eponymous only
    /* xConnect    */ related_connect,
    /* xBestIndex  */ related_best_index,
    /* xDisconnect */ related_disconnect,
    /* xDestroy    */ nullptr,
    /* xOpen       */ related_open,
    /* xClose      */ related_close,
    /* xFilter     */ related_filter,
    /* xNext       */ related_next,
    /* xEof        */ related_eof,
    /* xColumn     */ related_column,
    /* xRowid      */ related_rowid,
    /* xUpdate     */ nullptr,  // read-only
    /* xBegin      */ nullptr,
    /* xSync       */ nullptr,
    /* xCommit     */ nullptr,
    /* xRollback   */ nullptr,
    /* xFindMethod */ nullptr,
    /* xRename     */ nullptr,
    /* xSavepoint  */ nullptr,
    /* xRelease    */ nullptr,
    /* xRollbackTo */ nullptr,
    /* xShadowName */ nullptr,
};

}  // namespace

int register_related_vtab(sqlite3* db) {
    // covet_related: the same table for databases whose own table named related shadows it.
    for (const char* name : {"related", "covet_related"}) {
        int rc = sqlite3_create_module(db, name, &related_module, nullptr);
        if (rc != SQLITE_OK) return rc;
    }
    return SQLITE_OK;
}

}  // namespace covet::ext
