// covet_related_sql(relation[, keys_parameter]): the SELECT related() runs, as text for a statement
// of one's own, and the C function of the same name.
#include "support.hpp"

#include <string>
#include <vector>

using namespace covet::test;

namespace {

using Rows = std::vector<Row>;

// Runs sql with ?1 (or the parameter named) bound to key: an integer, or text when quoted is true.
Rows run(Db& db, const std::string& sql, const std::string& key, bool quoted) {
    sqlite3_stmt* stmt = nullptr;
    REQUIRE_MESSAGE(sqlite3_prepare_v2(db.get(), sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK,
                    sqlite3_errmsg(db.get()));
    if (quoted) sqlite3_bind_text(stmt, 1, key.c_str(), -1, SQLITE_TRANSIENT);
    else sqlite3_bind_int64(stmt, 1, std::stoll(key));
    Rows out;
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        Row row;
        for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
            const unsigned char* text = sqlite3_column_text(stmt, c);
            row.emplace_back(text ? reinterpret_cast<const char*>(text) : "NULL");
        }
        out.push_back(row);
    }
    CHECK(sqlite3_finalize(stmt) == SQLITE_OK);
    return out;
}

std::string related_sql(Db& db, const std::string& relation) {
    return db.value("SELECT covet_related_sql('" + relation + "')");
}

// The pairs read through the text and through related() itself, for one keys argument.
void same_pairs(Db& db, const std::string& relation, const std::string& key, bool quoted, std::size_t expected) {
    INFO(relation, " keys ", key);
    const Rows through_text =
        run(db, "SELECT source, target FROM (" + related_sql(db, relation) + ") ORDER BY 1, 2", key, quoted);
    const Rows through_related =
        run(db, "SELECT source, target FROM related('" + relation + "', ?1) ORDER BY 1, 2", key, quoted);
    CHECK(through_text == through_related);
    CHECK(through_text.size() == expected);
}

}  // namespace

TEST_CASE("every kind of relation, both ways: the same pairs as related(), for one key or a JSON array") {
    Db db;
    library_schema(db);
    library_rows(db);
    db.exec("INSERT INTO profiles VALUES (5, 2, 'Debut author', NULL)");
    same_pairs(db, "books.author", "[1, 2, 3]", true, 3);
    same_pairs(db, "authors.books", "1", false, 2);
    same_pairs(db, "authors.books", "[2, 99]", true, 1);
    same_pairs(db, "authors.books", "2", true, 1);  // '2': the column's affinity applies, as in related()
    same_pairs(db, "books.categories", "[1, 3]", true, 3);
    same_pairs(db, "categories.books", "2", false, 2);
    same_pairs(db, "profiles.author", "[1, 5]", true, 2);
    same_pairs(db, "authors.profile", "[2]", true, 1);
    same_pairs(db, "authors.books", "[]", true, 0);
}

TEST_CASE("text keys and NULL references, as related() reads them") {
    Db db;
    db.exec(R"(
        CREATE TABLE countries(code TEXT PRIMARY KEY, name TEXT);
        CREATE TABLE cities(id INTEGER PRIMARY KEY, name TEXT, country_code TEXT);
        INSERT INTO covet_relations(kind, from_table, from_column, to_table, on_delete, related_name)
            VALUES ('foreign_key', 'cities', 'country_code', 'countries', 'SET_NULL', 'cities');
        INSERT INTO countries VALUES ('fr', 'France'), ('de', 'Germany'), ('1', 'One');
        INSERT INTO cities VALUES (1, 'Paris', 'fr'), (2, 'Lyon', 'fr'), (3, 'Berlin', 'de'), (4, 'Nowhere', NULL),
                                  (5, 'Uno', '1');
    )");
    same_pairs(db, "countries.cities", "fr", true, 2);
    same_pairs(db, "countries.cities", "[\"de\", \"fr\"]", true, 3);
    same_pairs(db, "countries.cities", "1", true, 1);
    same_pairs(db, "countries.cities", "1", false, 0);  // a number is not the text '1', as in related()
    same_pairs(db, "cities.country_code", "[1, 2, 3, 4]", true, 3);
}

TEST_CASE("as a subquery it is flattened into the join: searched as the join written by hand") {
    Db db;
    library_schema(db);
    library_rows(db);
    const std::string sql = "SELECT r.source, c.name FROM (" + related_sql(db, "books.categories") +
                            ") AS r JOIN categories c ON c.id = r.target";
    const std::string steps = db.plan(sql);
    CHECK(contains(steps, "SEARCH main.books_categories USING COVERING INDEX"));
    CHECK(contains(steps, "SEARCH c USING INTEGER PRIMARY KEY"));
    CHECK_FALSE(contains(steps, "CO-ROUTINE"));
    CHECK_FALSE(contains(steps, "MATERIALIZE"));
    CHECK(run(db, sql + " ORDER BY 1, 2", "[1, 3]", true) ==
          Rows{{"1", "Fiction"}, {"1", "Science Fiction"}, {"3", "Science Fiction"}});
}

TEST_CASE("the keys parameter: ?1 by default, a number, or a name") {
    Db db;
    library_schema(db);
    CHECK(contains(db.value("SELECT covet_related_sql('authors.books')"), "json_each(CASE WHEN typeof(?1)"));
    const std::string third = db.value("SELECT covet_related_sql('authors.books', 3)");
    CHECK(contains(third, "typeof(?3)"));
    CHECK_FALSE(contains(third, "?1"));
    CHECK(contains(db.value("SELECT covet_related_sql('authors.books', ':keys')"), "typeof(:keys)"));
    CHECK(contains(db.value("SELECT covet_related_sql('authors.books', '@k_2')"), "typeof(@k_2)"));
    CHECK(contains(db.value("SELECT covet_related_sql('authors.books', '$k')"), "typeof($k)"));
    CHECK(db.value("SELECT covet_related_sql('authors.books', 32766)").find("?32766") != std::string::npos);
}

TEST_CASE("errors: the relation, the keys parameter, a broken relation") {
    Db db;
    library_schema(db);
    const std::string before = db.snapshot();
    std::string unknown = db.error("SELECT covet_related_sql('authors.novels')");
    CHECK(starts_with(unknown, "covet: covet_related_sql(): no relation named 'authors.novels'"));
    CHECK(contains(unknown, "authors.books"));
    CHECK(starts_with(db.error("SELECT covet_related_sql(NULL)"),
                      "covet: covet_related_sql(): the relation argument must be a relation name such as "
                      "'books.author', not NULL"));
    CHECK(contains(db.error("SELECT covet_related_sql(7)"), "not 7"));
    for (const char* bad : {"0", "-1", "32767", "1.5", "NULL", "'keys'", "':'", "':a-b'", "'?1'", "x'3a6b'"}) {
        INFO(bad);
        std::string message = db.error(std::string("SELECT covet_related_sql('authors.books', ") + bad + ")");
        CHECK(starts_with(message, "covet: covet_related_sql(): the keys parameter must be a number from 1 to 32766 "
                                   "or a name such as ':keys', not "));
    }
    CHECK(contains(db.error("SELECT covet_related_sql('authors.books', 'keys')"), "not 'keys'"));
    CHECK(db.snapshot() == before);

    db.exec("PRAGMA foreign_keys = OFF; DROP TABLE profiles");
    std::string broken = db.error("SELECT covet_related_sql('authors.profile')");
    CHECK(starts_with(broken, "covet: covet_related_sql(): relation profiles.author no longer matches the schema"));
    // It keeps no statement: the connection has none left open.
    CHECK(sqlite3_next_stmt(db.get(), nullptr) == nullptr);
}

TEST_CASE("a resolver: the same text without a statement, kept while the relation stays; errors as codes") {
    Db db;
    library_schema(db);
    covet_resolver* resolver = nullptr;
    REQUIRE(covet_resolver_open(db.get(), &resolver) == SQLITE_OK);
    char* sql = nullptr;
    char* message = nullptr;
    auto text_of = [&](const char* relation, int parameter) {
        REQUIRE(covet_resolver_related_sql(resolver, relation, parameter, &sql, &message) == SQLITE_OK);
        REQUIRE(sql != nullptr);
        CHECK(message == nullptr);
        std::string text = sql;
        sqlite3_free(sql);
        return text;
    };
    CHECK(text_of("categories.books", 2) == db.value("SELECT covet_related_sql('categories.books', 2)"));
    CHECK(text_of("categories.books", 2) == db.value("SELECT covet_related_sql('categories.books', 2)"));

    // The relation's row changes: the resolver follows it.
    db.exec("CREATE TABLE editors(id INTEGER PRIMARY KEY); ALTER TABLE books ADD COLUMN editor_id INTEGER;"
            "INSERT INTO covet_relations(kind, from_table, from_column, to_table, related_name)"
            "    VALUES ('foreign_key', 'books', 'editor_id', 'editors', 'edited')");
    CHECK(contains(text_of("editors.edited", 1), "\"editor_id\" AS source"));
    db.exec("UPDATE covet_relations SET related_name = 'edits' WHERE name = 'books.editor'");
    CHECK(covet_resolver_related_sql(resolver, "editors.edited", 1, &sql, &message) == SQLITE_ERROR);
    CHECK(sql == nullptr);
    REQUIRE(message != nullptr);
    CHECK(starts_with(message, "covet: covet_related_sql(): no relation named 'editors.edited'"));
    sqlite3_free(message);
    message = nullptr;
    CHECK(contains(text_of("editors.edits", 1), "\"editor_id\" AS source"));

    CHECK(covet_resolver_related_sql(resolver, "categories.books", 0, &sql, &message) == SQLITE_ERROR);
    CHECK(sql == nullptr);
    REQUIRE(message != nullptr);
    CHECK(starts_with(message, "covet: covet_related_sql(): the keys parameter must be a number"));
    sqlite3_free(message);

    CHECK(covet_resolver_related_sql(resolver, nullptr, 1, &sql, nullptr) == SQLITE_MISUSE);
    CHECK(covet_resolver_related_sql(resolver, "categories.books", 1, nullptr, nullptr) == SQLITE_MISUSE);
    CHECK(covet_resolver_related_sql(nullptr, "categories.books", 1, &sql, nullptr) == SQLITE_MISUSE);
    covet_resolver* none = nullptr;
    CHECK(covet_resolver_open(nullptr, &none) == SQLITE_MISUSE);
    CHECK(none == nullptr);
    // It keeps prepared statements until it is closed.
    CHECK(sqlite3_next_stmt(db.get(), nullptr) != nullptr);
    covet_resolver_close(resolver);
    CHECK(sqlite3_next_stmt(db.get(), nullptr) == nullptr);
}
