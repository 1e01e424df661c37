// One row of covet_relations, its persistent store, its defaults and its validation.
#pragma once

#include "schema.hpp"
#include "sqlite.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace covet::ext {

// The ordinary tables that hold covet's state inside the database.
inline constexpr const char* relation_store = "_covet_relations";
inline constexpr const char* doomed_store = "_covet_doomed";

enum class Kind { ForeignKey, OneToOne, ManyToMany };
enum class OnDelete { Cascade, SetNull, SetDefault, Protect, Restrict, DoNothing };

struct Relation {
    std::int64_t id = 0;  // rowid in the store
    std::string name;
    std::string kind;  // foreign_key, one_to_one, many_to_many
    std::string from_table;
    std::optional<std::string> from_column;
    std::string to_table;
    std::string to_column;
    std::optional<std::string> on_delete;  // CASCADE ... DO_NOTHING; NULL for many_to_many
    std::string related_name;
    std::optional<std::string> through_table, through_from_column, through_to_column;
    Value default_value;

    Kind parsed_kind() const;
    OnDelete action() const;  // CASCADE for many_to_many (its junction rows go with either side)
    bool many_to_many() const { return parsed_kind() == Kind::ManyToMany; }
    // "<to_table>.<related_name>", or nullopt for related_name '+'.
    std::optional<std::string> reverse_name() const;
};

// The columns of covet_relations, in order (also the store's column order after its id).
inline constexpr const char* relation_columns[] = {
    "name", "kind", "from_table", "from_column", "to_table", "to_column", "on_delete", "related_name",
    "through_table", "through_from_column", "through_to_column", "default_value"};
inline constexpr int relation_column_count = 12;

Value column_value(const Relation& relation, int column);
void set_column(Relation& relation, int column, const Value& value);

// Creates the store tables when missing (only when a relation is first written).
void ensure_store(sqlite3* db);
bool store_exists(sqlite3* db);
std::vector<Relation> load_relations(sqlite3* db);
void insert_relation(sqlite3* db, Relation& relation);  // sets relation.id
void update_relation(sqlite3* db, const Relation& relation);
void delete_relation(sqlite3* db, std::int64_t id);

// Tables read once per operation, looked up case-insensitively as SQLite does.
class TableCache {
public:
    explicit TableCache(sqlite3* db) : db_(db) {}
    const Table* find(std::string_view name);  // nullptr unless an ordinary table
    void forget(std::string_view name);        // after the table was created or changed
    sqlite3* db() const { return db_; }

private:
    sqlite3* db_;
    std::map<std::string, std::optional<Table>> tables_;
};

// Fills every omitted column with its documented default; canonicalizes spellings.
void complete(Relation& relation, TableCache& tables);

// Why the relation no longer matches the schema (missing table or column, key not unique, ...),
// or nullopt when it still does. Checked when inserting and by covet_check().
// junction_pending: the many_to_many junction table does not exist yet and will be created.
std::optional<std::string> schema_problem(const Relation& relation, TableCache& tables,
                                          bool junction_pending = false);

// Everything an INSERT or UPDATE must satisfy; throws Error naming the problem.
void validate(const Relation& relation, const std::vector<Relation>& others, TableCache& tables,
              bool junction_pending = false);

// Creates the junction table of a many_to_many relation when it does not exist yet (and both
// sides do): "id" INTEGER PRIMARY KEY, the two key columns NOT NULL, UNIQUE over the pair.
bool create_junction_table(const Relation& relation, TableCache& tables);  // true when created

// "7 rows of books reference missing authors.id (first: books.author_id = 99)" or nullopt.
std::optional<std::string> dangling_references(sqlite3* db, const Relation& relation, TableCache& tables);

}  // namespace covet::ext
