/*
** covet_related_sql(): the SELECT that related() runs, to put in a statement of one's own.
**
**   SELECT covet_related_sql('books.categories');
**     -- SELECT "book_id" AS source, "category_id" AS target FROM main."books_categories" WHERE ...
**     --   AND "book_id" IN (SELECT value FROM json_each(CASE ... ?1 ... END))
**   SELECT covet_related_sql('authors.books', 2);       -- the keys in ?2
**   SELECT covet_related_sql('authors.books', ':keys'); -- or in a named parameter
**
** The text selects the columns source and target of related(relation, keys), with the keys
** argument (one key or a JSON array of keys) in the parameter given, ?1 by default. related() reads
** its pairs through SQLite's virtual table interface, which costs a step of its own statement and
** a copy of each column per pair; the same SELECT as a subquery of a join is flattened into it:
**
**   SELECT r.source, c.* FROM (<that text>) AS r JOIN categories c ON c.id = r.target
**
** runs as the join written by hand would, and is how covet's C++ layer prefetches. The text is
** valid while the schema and the relation's row in covet_relations stay as they are. C programs
** that link covet get it without a statement from a resolver (covet/extension.h), which keeps what
** it resolved as related() does.
*/
#include "covet/extension.h"
#include "modules.hpp"
#include "related_pairs.hpp"

#include <algorithm>
#include <cctype>
#include <new>

namespace covet::ext {

namespace {

constexpr std::int64_t max_parameter_number = 32766;  // SQLITE_MAX_VARIABLE_NUMBER's default

// The parameter as SQL: ?N for a number, or a name as SQLite writes one (:keys, @keys, $keys).
std::string parameter_sql(const Value& parameter) {
    if (parameter.type == SQLITE_INTEGER && parameter.integer >= 1 && parameter.integer <= max_parameter_number)
        return "?" + std::to_string(parameter.integer);
    if (parameter.type == SQLITE_TEXT) {
        const std::string& name = parameter.bytes;
        auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
        if (name.size() > 1 && (name[0] == ':' || name[0] == '@' || name[0] == '$') &&
            std::all_of(name.begin() + 1, name.end(), word))
            return name;
    }
    throw Error("covet: covet_related_sql(): the keys parameter must be a number from 1 to " +
                std::to_string(max_parameter_number) + " or a name such as ':keys', not " +
                (parameter.is_null() ? std::string("NULL") : literal(parameter)));
}

std::string related_sql(RelationResolver& resolver, std::string_view relation, const std::string& parameter) {
    const RelationPairs& pairs = resolver.resolve(relation);
    return pairs_select(pairs, true, false, keys_condition(pairs, parameter));
}

void covet_related_sql_function(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
    guarded(ctx, [&] {
        const Value relation = Value::from(argv[0]);
        if (relation.type != SQLITE_TEXT)
            throw Error("covet: covet_related_sql(): the relation argument must be a relation name such as "
                        "'books.author', not " + (relation.is_null() ? std::string("NULL") : literal(relation)));
        const std::string parameter = argc > 1 ? parameter_sql(Value::from(argv[1])) : "?1";
        // A resolver of its own, which finalizes its statements here: a function cannot keep them
        // (they would stop sqlite3_close()).
        RelationResolver resolver(sqlite3_context_db_handle(ctx), "covet_related_sql()");
        const std::string sql = related_sql(resolver, relation.bytes, parameter);
        sqlite3_result_text(ctx, sql.c_str(), static_cast<int>(sql.size()), SQLITE_TRANSIENT);
    });
}

}  // namespace

int register_related_sql_function(sqlite3* db) {
    for (int argc : {1, 2}) {
        int rc = sqlite3_create_function(db, "covet_related_sql", argc, SQLITE_UTF8 | SQLITE_INNOCUOUS, nullptr,
                                         covet_related_sql_function, nullptr, nullptr);
        if (rc != SQLITE_OK) return rc;
    }
    return SQLITE_OK;
}

}  // namespace covet::ext

#ifdef SQLITE_CORE
struct covet_resolver {
    covet::ext::RelationResolver resolver;
};

extern "C" {

int covet_resolver_open(sqlite3* db, covet_resolver** resolver) {
    if (!resolver) return SQLITE_MISUSE;
    *resolver = db ? new (std::nothrow) covet_resolver{{db, "covet_related_sql()"}} : nullptr;
    return !db ? SQLITE_MISUSE : *resolver ? SQLITE_OK : SQLITE_NOMEM;
}

int covet_resolver_related_sql(covet_resolver* resolver, const char* relation, int keys_parameter, char** sql,
                               char** error_message) {
    using namespace covet::ext;
    if (sql) *sql = nullptr;
    return guarded(error_message, [&] {
        if (!resolver || !relation || !sql)
            throw Error("covet: covet_resolver_related_sql(): resolver, relation and sql must not be NULL",
                        SQLITE_MISUSE);
        const Value parameter{.type = SQLITE_INTEGER, .integer = keys_parameter, .real = 0, .bytes = {}};
        const std::string text = related_sql(resolver->resolver, relation, parameter_sql(parameter));
        *sql = sqlite3_mprintf("%s", text.c_str());
        return *sql ? SQLITE_OK : SQLITE_NOMEM;
    });
}

void covet_resolver_close(covet_resolver* resolver) { delete resolver; }

}  // extern "C"
#endif
