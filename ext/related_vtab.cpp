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
#include "related_pairs.hpp"
#include "vtab.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>
#include <vector>

namespace covet::ext {

namespace {

enum RelatedColumn { source_column, target_column, relation_column, keys_column };

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
constexpr int keys_forms = 2;

constexpr double scan_cost = 1e6;               // a full scan of a table of unknown size
constexpr double missing_relation_cost = 1e18;  // a plan that only reports the missing argument
constexpr double rows_per_key = 10;             // an index search per key
constexpr double unknown_key_count = 10;        // keys that are not a literal, values of IN (...)
constexpr std::size_t statement_cache_limit = 64;

struct RelatedVtab {
    Vtab vtab;  // first, so that connection_of() and SQLite see the usual table struct
    std::map<std::string, Stmt> idle;  // prepared inner statements no cursor is using, by SQL
    RelationResolver relations;        // each xFilter's relation name, resolved
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

// The pairs (pairs_select), narrowed by the arguments xFilter receives: ?1 the keys argument, ?2
// the value of source = ? or a JSON array of the values of source IN (...). The source is read
// when the query or xRowid uses it.
std::string inner_sql(const RelationPairs& r, int idx_num, KeysForm form) {
    const std::string& source = r.pairs.source;
    std::string conditions;
    if (idx_num & with_keys) conditions += form == keys_one ? " AND " + source + " = ?1" : keys_condition(r, "?1");
    if (idx_num & with_source_eq) conditions += " AND " + source + " = ?2";
    if (idx_num & with_source_in) conditions += " AND " + source + " IN (SELECT value FROM json_each(?2))";
    const bool read_source = !(idx_num & source_unused) || r.identity_column == 0 || r.identity_column == looked_up;
    return pairs_select(r, read_source, r.identity_column == 2, conditions);
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
        auto* vtab = new RelatedVtab{.vtab = {.base = {}, .db = db}, .idle = {}, .relations = {db, "related()"}};
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

        RelationPairs& resolved = related_vtab(base->pVtab).relations.resolve(cursor.relation.bytes);
        KeysForm form = idx_num & with_keys ? keys_form(cursor.keys, resolved.text_source) : keys_any;
        resolved.statements.resize(keys_forms * idx_nums);  // by KeysForm and idx_num
        std::string& sql = resolved.statements[static_cast<std::size_t>(form * idx_nums + (idx_num & (idx_nums - 1)))];
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
