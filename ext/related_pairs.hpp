// What a relation name resolves to for related() and covet_related_sql(): the table holding its
// pairs, the expressions of their keys, and the SELECT that reads them. One definition of a
// relation's pairs, whether SQLite reads them through the virtual table or in a statement of its
// own.
#pragma once

#include "sqlite.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace covet::ext {

// The table holding the pairs of a relation seen from one side, and the SQL expressions of its
// source key, target key and row identity.
struct PairSource {
    std::string table, source, target, identity;
};

// Where a pair's row identity is read (RelationPairs::identity_column): the source (0) or target
// (1) key itself, a column of its own (2), or looked up by the pair (identity_sql) where the
// junction is unique on it.
constexpr int looked_up = -1;

// A relation name resolved, valid while the schema and the relation's stored row stay as they were.
struct RelationPairs {
    std::vector<Value> row;  // the stored row it was resolved from: id, then relation_columns
    PairSource pairs;
    int identity_column = 2;
    std::string identity_sql;  // identity_column looked_up: SELECT identity ... WHERE source = ?1 AND target = ?2
    bool text_source = false;  // has the source column TEXT affinity?
    std::uint64_t salt = 0;    // a hash of the name, to tell the rows of different relations apart
    std::vector<std::string> statements;  // SQL its user built from it, kept with it (related_vtab.cpp)
};

// Resolves relation names on one connection, by name (books.author) or reverse name
// <to_table>.<related_name> (authors.books), and keeps what it resolved. Each resolve() reads the
// schema version and the relation's stored row (two kept statements) and resolves the name again
// only when either changed: a relation can be renamed or pointed elsewhere without a schema change,
// and a schema change can alter keys and row identities without touching the row.
class RelationResolver {
public:
    // `function` names the caller in messages: "related()".
    RelationResolver(sqlite3* db, std::string_view function) : db_(db), function_(function) {}
    // Throws Error when no relation has that name or it no longer matches the schema.
    RelationPairs& resolve(std::string_view name);

private:
    struct Stored {
        std::vector<Value> row;
        bool reverse = false;
    };
    bool find_stored(std::string_view name);
    RelationPairs resolve_row(std::string_view name) const;

    sqlite3* db_;
    std::string function_;
    std::map<std::string, RelationPairs, std::less<>> resolved_;
    std::int64_t schema_version_ = -1;
    std::optional<Stmt> read_schema_version_;  // PRAGMA main.schema_version
    std::optional<Stmt> read_relation_;        // the stored rows that may be the named relation
    Stored found_;                             // what read_relation_ found last
    std::vector<Value> scratch_;               // a row read by read_relation_
};

// FNV-1a of bytes: the salts above and related()'s rowids.
std::uint64_t fnv1a(std::string_view bytes, std::uint64_t hash = 14695981039346656037ull);

// SELECT <source> AS source, <target> AS target[, <identity>] FROM main.<table> WHERE neither key
// is NULL<conditions>. read_source false: NULL in place of a source nothing reads (an index column
// not read is one opcode less per pair).
std::string pairs_select(const RelationPairs& r, bool read_source, bool with_identity, std::string_view conditions);

// " AND <source> IN (...)": the source keys given by `parameter` as related()'s keys argument
// takes them, one key or a JSON array of keys.
std::string keys_condition(const RelationPairs& r, std::string_view parameter);

}  // namespace covet::ext
