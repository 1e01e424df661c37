// Schema: DDL from models (schema_sql), migrate (create, add, refuse), check, and the registry.
#include "../../examples/library_models.hpp"

#include <covet/database.hpp>
#include <covet/error.hpp>
#include <covet/model.hpp>
#include <covet/registry.hpp>
#include <covet/schema.hpp>

#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

using covet::Value;

// ---- models ------------------------------------------------------------------------------------

enum class Status { Draft, Published };
template <>
struct covet::enum_names<Status> {
    static constexpr std::array names{"draft", "published"};
};

// Every option.
struct Article {
    std::int64_t id = 0;
    std::string title;
    std::string slug;
    Status status = Status::Draft;
    double rating = 0;
    std::int32_t views = 0;
    std::optional<std::string> body;
    std::optional<covet::Blob> cover;
};
BOOST_HANA_ADAPT_STRUCT(Article, id, title, slug, status, rating, views, body, cover);
template <>
struct covet::meta<Article> {
    static constexpr auto table = "articles";
    static constexpr auto unique_together = std::array{std::array{"title", "status"}};
    static constexpr auto indexes = std::tuple{std::array{"status", "rating"}};
    static constexpr auto fields = covet::fields(
        covet::field<&Article::title>{.max_length = 50, .default_value = "It's new"},
        covet::field<&Article::slug>{.db_column = "url_slug", .unique = true},
        covet::field<&Article::status>{.default_value = Status::Published},
        covet::field<&Article::rating>{.default_value = 10},
        covet::field<&Article::views>{.db_index = true, .default_value = -1});
};

// A text primary key and a table name that needs quoting.
struct Tag {
    std::string code;
    std::int64_t weight = 0;
};
BOOST_HANA_ADAPT_STRUCT(Tag, code, weight);
template <>
struct covet::meta<Tag> {
    static constexpr auto table = "tag \"list\"";
    static constexpr auto primary_key = &Tag::code;
};

struct Author {
    std::int64_t id = 0;
    std::string name;
    std::string email;
    std::optional<std::string> website;
};
BOOST_HANA_ADAPT_STRUCT(Author, id, name, email, website);
template <>
struct covet::meta<Author> {
    static constexpr auto table = "authors";
    static constexpr auto unique = std::array{"email"};
    static constexpr auto indexes = std::array{"name"};
    static constexpr auto fields = covet::fields(covet::field<&Author::name>{.max_length = 100});
};

// Later versions of Author (same table).
struct AuthorNewFields {  // + an optional field, a field with a default, a unique optional field
    std::int64_t id = 0;
    std::string name;
    std::string email;
    std::optional<std::string> website;
    std::optional<std::string> bio;
    std::int64_t age = 0;
    std::optional<std::string> handle;
};
BOOST_HANA_ADAPT_STRUCT(AuthorNewFields, id, name, email, website, bio, age, handle);
template <>
struct covet::meta<AuthorNewFields> {
    static constexpr auto table = "authors";
    static constexpr auto unique = std::array{"email", "handle"};
    static constexpr auto indexes = std::array{"name"};
    static constexpr auto fields = covet::fields(covet::field<&AuthorNewFields::name>{.max_length = 100},
                                                 covet::field<&AuthorNewFields::age>{.default_value = 18});
};

struct AuthorDropped {  // website is gone
    std::int64_t id = 0;
    std::string name;
    std::string email;
};
BOOST_HANA_ADAPT_STRUCT(AuthorDropped, id, name, email);
template <>
struct covet::meta<AuthorDropped> {
    static constexpr auto table = "authors";
    static constexpr auto unique = std::array{"email"};
    static constexpr auto indexes = std::array{"name"};
    static constexpr auto fields = covet::fields(covet::field<&AuthorDropped::name>{.max_length = 100});
};

struct AuthorRetyped {  // email became an integer
    std::int64_t id = 0;
    std::string name;
    std::int64_t email = 0;
    std::optional<std::string> website;
};
BOOST_HANA_ADAPT_STRUCT(AuthorRetyped, id, name, email, website);
template <>
struct covet::meta<AuthorRetyped> {
    static constexpr auto table = "authors";
    static constexpr auto unique = std::array{"email"};
    static constexpr auto indexes = std::array{"name"};
    static constexpr auto fields = covet::fields(covet::field<&AuthorRetyped::name>{.max_length = 100});
};

struct AuthorMany {  // name retyped, website dropped, email now nullable, a NOT NULL field without default
    std::int64_t id = 0;
    double name = 0;
    std::optional<std::string> email;
    std::string nickname;
};
BOOST_HANA_ADAPT_STRUCT(AuthorMany, id, name, email, nickname);
template <>
struct covet::meta<AuthorMany> {
    static constexpr auto table = "authors";
};

struct AuthorUniqueCode {  // a unique field with a default: rows would collide
    std::int64_t id = 0;
    std::string name;
    std::string email;
    std::optional<std::string> website;
    std::string code;
};
BOOST_HANA_ADAPT_STRUCT(AuthorUniqueCode, id, name, email, website, code);
template <>
struct covet::meta<AuthorUniqueCode> {
    static constexpr auto table = "authors";
    static constexpr auto unique = std::array{"email", "code"};
    static constexpr auto indexes = std::array{"name"};
    static constexpr auto fields = covet::fields(covet::field<&AuthorUniqueCode::name>{.max_length = 100},
                                                 covet::field<&AuthorUniqueCode::code>{.default_value = "x"});
};

struct AuthorLongerName {  // max_length 100 -> 200 and a default on website: reported only
    std::int64_t id = 0;
    std::string name;
    std::string email;
    std::optional<std::string> website;
};
BOOST_HANA_ADAPT_STRUCT(AuthorLongerName, id, name, email, website);
template <>
struct covet::meta<AuthorLongerName> {
    static constexpr auto table = "authors";
    static constexpr auto unique = std::array{"email"};
    static constexpr auto indexes = std::array{"name"};
    static constexpr auto fields =
        covet::fields(covet::field<&AuthorLongerName::name>{.max_length = 200},
                      covet::field<&AuthorLongerName::website>{.default_value = "https://example.com"});
};

// ---- helpers -----------------------------------------------------------------------------------

namespace {

// Every schema object and every row of authors, as text.
std::vector<std::string> snapshot(covet::Database& db) {
    std::vector<std::string> out;
    for (const covet::Row& row : db.query("SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY name"))
        out.push_back(covet::describe(row[0]) + "|" + covet::describe(row[1]) + "|" + covet::describe(row[2]) + "|" +
                      covet::describe(row[3]));
    if (db.query_value("SELECT count(*) FROM sqlite_schema WHERE name = 'authors'") == Value{std::int64_t{1}}) {
        for (const covet::Row& row : db.query("SELECT * FROM authors ORDER BY id")) {
            std::string line;
            for (int i = 0; i < row.size(); ++i) line += std::string(row.name(i)) + "=" + covet::describe(row[i]) + " ";
            out.push_back(line);
        }
    }
    return out;
}

std::int64_t schema_version(covet::Database& db) {
    return std::get<std::int64_t>(db.query_value("PRAGMA schema_version"));
}

std::vector<std::string> column_names(covet::Database& db, const std::string& table) {
    std::vector<std::string> names;
    for (const covet::Row& row : db.query("SELECT name FROM pragma_table_info(?)", {Value{table}}))
        names.emplace_back(row.text(0));
    return names;
}

bool contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

void add_two_authors(covet::Database& db) {
    db.execute("INSERT INTO authors (name, email, website) VALUES ('Ann', 'ann@example.com', 'https://ann.org')");
    db.execute("INSERT INTO authors (name, email) VALUES ('Bob', 'bob@example.com')");
}

template <class F>
std::string schema_error(F&& body) {
    try {
        body();
    } catch (const covet::SchemaError& e) {
        return e.what();
    }
    FAIL("no SchemaError was thrown");
    return {};
}

}  // namespace

// ---- DDL ---------------------------------------------------------------------------------------

TEST_CASE("schema_sql: the exact DDL of a model with every option") {
    covet::Database db{":memory:"};
    CHECK(db.schema_sql<Article>() ==
          "CREATE TABLE \"articles\" (\"id\" INTEGER PRIMARY KEY, "
          "\"title\" TEXT NOT NULL DEFAULT 'It''s new' CHECK (length(\"title\") <= 50), "
          "\"url_slug\" TEXT NOT NULL UNIQUE, "
          "\"status\" TEXT NOT NULL DEFAULT 'published' CHECK (\"status\" IN ('draft','published')), "
          "\"rating\" REAL NOT NULL DEFAULT 10.0, "
          "\"views\" INTEGER NOT NULL DEFAULT -1, "
          "\"body\" TEXT, \"cover\" BLOB, "
          "UNIQUE (\"title\", \"status\"));\n"
          "CREATE INDEX \"articles_status_rating_idx\" ON \"articles\" (\"status\", \"rating\");\n"
          "CREATE INDEX \"articles_views_idx\" ON \"articles\" (\"views\");\n");
}

TEST_CASE("schema_sql: a text primary key is PRIMARY KEY NOT NULL; identifiers are quoted with doubled quotes") {
    covet::Database db{":memory:"};
    CHECK(db.schema_sql<Tag, Author>() ==
          "CREATE TABLE \"tag \"\"list\"\"\" (\"code\" TEXT PRIMARY KEY NOT NULL, \"weight\" INTEGER NOT NULL);\n"
          "CREATE TABLE \"authors\" (\"id\" INTEGER PRIMARY KEY, "
          "\"name\" TEXT NOT NULL CHECK (length(\"name\") <= 100), \"email\" TEXT NOT NULL UNIQUE, "
          "\"website\" TEXT);\n"
          "CREATE INDEX \"authors_name_idx\" ON \"authors\" (\"name\");\n");
    CHECK(db.query_count() == 0);  // schema_sql does not touch the database
}

// ---- migrate: creating -------------------------------------------------------------------------

TEST_CASE("migrate creates the tables and indexes, exactly as schema_sql prints them") {
    covet::Database db{":memory:"};
    db.migrate<Article, Tag>();
    std::vector<std::string> objects;
    for (const covet::Row& row : db.query("SELECT type || ' ' || name FROM sqlite_schema WHERE sql IS NOT NULL "
                                          "ORDER BY name"))
        objects.emplace_back(row.text(0));
    CHECK(objects == std::vector<std::string>{"table articles", "index articles_status_rating_idx",
                                              "index articles_views_idx", "table tag \"list\""});
    CHECK(std::get<std::string>(db.query_value("SELECT sql FROM sqlite_schema WHERE name = 'articles'")) + ";\n" ==
          covet::create_table_sql(covet::model_info<Article>()) + ";\n");
    CHECK(db.check<Article, Tag>().empty());
    // The text primary key refuses NULL (SQLite would accept it without NOT NULL).
    CHECK_THROWS_AS(db.execute("INSERT INTO \"tag \"\"list\"\"\" (code, weight) VALUES (NULL, 1)"),
                    covet::IntegrityError);
}

TEST_CASE("constraints are enforced by SQLite itself: max_length, choices, unique, unique_together, NOT NULL") {
    covet::Database db{":memory:"};
    db.migrate<Article, Author>();
    const std::string long_name(101, 'x');
    CHECK_THROWS_AS(db.execute("INSERT INTO authors (name, email) VALUES (?, 'a@example.com')", {Value{long_name}}),
                    covet::IntegrityError);
    db.execute("INSERT INTO authors (name, email) VALUES (?, 'a@example.com')", {Value{std::string(100, 'x')}});
    CHECK_THROWS_AS(db.execute("INSERT INTO authors (name, email) VALUES ('B', 'a@example.com')"),
                    covet::IntegrityError);
    CHECK_THROWS_AS(db.execute("INSERT INTO authors (name, email) VALUES (NULL, 'b@example.com')"),
                    covet::IntegrityError);

    db.execute("INSERT INTO articles (title, url_slug, status) VALUES ('T', 'a', 'draft')");
    db.execute("INSERT INTO articles (title, url_slug, status) VALUES ('T', 'b', 'published')");
    CHECK_THROWS_AS(db.execute("INSERT INTO articles (title, url_slug, status) VALUES ('T', 'c', 'draft')"),
                    covet::IntegrityError);
    CHECK_THROWS_AS(db.execute("INSERT INTO articles (title, url_slug, status) VALUES ('U', 'd', 'archived')"),
                    covet::IntegrityError);
    CHECK(db.query_value("SELECT count(*) FROM articles") == Value{std::int64_t{2}});
}

TEST_CASE("defaults are applied by a raw INSERT") {
    covet::Database db{":memory:"};
    db.migrate<Article>();
    db.execute("INSERT INTO articles (url_slug) VALUES ('s')");
    covet::Cursor c = db.query("SELECT title, status, rating, views, body, cover FROM articles");
    REQUIRE(c.next());
    const covet::Row& row = c.row();
    CHECK(row[0] == Value{std::string("It's new")});
    CHECK(row[1] == Value{std::string("published")});
    CHECK(row[2] == Value{10.0});
    CHECK(row[3] == Value{std::int64_t{-1}});
    CHECK(row.is_null(4));
    CHECK(row.is_null(5));
}

TEST_CASE("a second migrate changes nothing and only reads") {
    covet::Database db{":memory:"};
    db.migrate<Article, Author, Tag>();
    add_two_authors(db);
    const auto before = snapshot(db);
    const std::int64_t version = schema_version(db);
    std::vector<std::string> statements;
    db.on_query([&](std::string_view sql, std::chrono::nanoseconds) { statements.emplace_back(sql); });
    db.migrate<Article, Author, Tag>();
    db.on_query({});
    CHECK(snapshot(db) == before);
    CHECK(schema_version(db) == version);
    REQUIRE_FALSE(statements.empty());
    for (const std::string& sql : statements) {
        INFO(sql);
        CHECK((sql.starts_with("SELECT") || sql.starts_with("BEGIN") || sql.starts_with("COMMIT") ||
               sql.starts_with("SAVEPOINT") || sql.starts_with("RELEASE")));
    }
}

TEST_CASE("migrate inside a transaction is a savepoint of it: rolled back with it") {
    covet::Database db{":memory:"};
    try {
        db.transaction([&] {
            db.migrate<Author>();
            CHECK(column_names(db, "authors").size() == 4);
            throw std::runtime_error("abort");
        });
    } catch (const std::runtime_error&) {
    }
    CHECK(column_names(db, "authors").empty());
}

// ---- migrate: adding ---------------------------------------------------------------------------

TEST_CASE("new fields are added with ALTER TABLE ADD COLUMN; existing rows keep their data") {
    covet::Database db{":memory:"};
    db.migrate<Author>();
    add_two_authors(db);
    std::vector<std::string> statements;
    db.on_query([&](std::string_view sql, std::chrono::nanoseconds) { statements.emplace_back(sql); });
    db.migrate<AuthorNewFields>();
    db.on_query({});

    std::vector<std::string> writes;
    for (const std::string& sql : statements)
        if (sql.starts_with("ALTER") || sql.starts_with("CREATE")) writes.push_back(sql);
    CHECK(writes == std::vector<std::string>{
                        "ALTER TABLE \"authors\" ADD COLUMN \"bio\" TEXT",
                        "ALTER TABLE \"authors\" ADD COLUMN \"age\" INTEGER NOT NULL DEFAULT 18",
                        "ALTER TABLE \"authors\" ADD COLUMN \"handle\" TEXT",
                        "CREATE UNIQUE INDEX \"authors_handle_uniq\" ON \"authors\" (\"handle\")",
                    });
    CHECK(column_names(db, "authors") ==
          std::vector<std::string>{"id", "name", "email", "website", "bio", "age", "handle"});
    covet::Cursor c = db.query("SELECT name, email, website, bio, age, handle FROM authors ORDER BY id");
    REQUIRE(c.next());
    CHECK(c.row()[0] == Value{std::string("Ann")});
    CHECK(c.row()[1] == Value{std::string("ann@example.com")});
    CHECK(c.row()[2] == Value{std::string("https://ann.org")});
    CHECK(c.row().is_null(3));
    CHECK(c.row()[4] == Value{std::int64_t{18}});
    CHECK(c.row().is_null(5));
    c.close();

    // The unique index stands in for UNIQUE, and the new model is now in sync.
    db.execute("UPDATE authors SET handle = 'a' WHERE name = 'Ann'");
    CHECK_THROWS_AS(db.execute("UPDATE authors SET handle = 'a' WHERE name = 'Bob'"), covet::IntegrityError);
    CHECK(db.check<AuthorNewFields>().empty());
    const std::int64_t version = schema_version(db);
    db.migrate<AuthorNewFields>();
    CHECK(schema_version(db) == version);
}

TEST_CASE("a NOT NULL field without a default: added to an empty table, refused when the table has rows") {
    covet::Database db{":memory:"};
    db.execute("CREATE TABLE authors (\"id\" INTEGER PRIMARY KEY, \"name\" REAL NOT NULL, \"email\" TEXT)");
    // Empty: nickname (NOT NULL, no default) can be added; nothing else differs from AuthorMany.
    db.migrate<AuthorMany>();
    CHECK(column_names(db, "authors") == std::vector<std::string>{"id", "name", "email", "nickname"});

    covet::Database full{":memory:"};
    full.execute("CREATE TABLE authors (\"id\" INTEGER PRIMARY KEY, \"name\" REAL NOT NULL, \"email\" TEXT)");
    full.execute("INSERT INTO authors (name) VALUES (1.5)");
    const std::string message = schema_error([&] { full.migrate<AuthorMany>(); });
    CHECK(contains(message, "AuthorMany (authors): column authors.nickname (field nickname) is missing and cannot be "
                            "added: it is NOT NULL without a default and the table has rows"));
    CHECK(column_names(full, "authors") == std::vector<std::string>{"id", "name", "email"});
}

TEST_CASE("all or nothing: a unique index that fails on existing rows rolls back the ADD COLUMN") {
    covet::Database db{":memory:"};
    db.migrate<Author>();
    add_two_authors(db);
    const auto before = snapshot(db);
    CHECK_THROWS_AS(db.migrate<AuthorUniqueCode>(), covet::IntegrityError);  // both rows get code 'x'
    CHECK(snapshot(db) == before);
    CHECK(covet::find_model(db, "authors") == &covet::model_info<Author>());
}

// ---- migrate: refusing -------------------------------------------------------------------------

TEST_CASE("a dropped field is refused with a SchemaError naming it; the database is unchanged") {
    covet::Database db{":memory:"};
    db.migrate<Author>();
    add_two_authors(db);
    const auto before = snapshot(db);
    const std::string message = schema_error([&] { db.migrate<AuthorDropped>(); });
    CHECK(message.starts_with("covet: migrate refused"));
    CHECK(contains(message, "\n  AuthorDropped (authors): migrate would drop column authors.website (data would be "
                            "lost)"));
    CHECK(snapshot(db) == before);
    CHECK(covet::find_model<AuthorDropped>(db) == nullptr);
}

TEST_CASE("a retyped field is refused") {
    covet::Database db{":memory:"};
    db.migrate<Author>();
    const auto before = snapshot(db);
    const std::string message = schema_error([&] { db.migrate<AuthorRetyped>(); });
    CHECK(contains(message, "AuthorRetyped (authors): migrate would change the type of column authors.email (field "
                            "email) from TEXT to INTEGER"));
    CHECK(snapshot(db) == before);
}

TEST_CASE("several differences are listed together, one per line, and nothing is changed") {
    covet::Database db{":memory:"};
    db.migrate<Author>();
    add_two_authors(db);
    const auto before = snapshot(db);
    const std::string message = schema_error([&] { db.migrate<Article, AuthorMany>(); });
    CHECK(contains(message, "\n  Article (articles): table articles does not exist (migrate creates it)"));
    CHECK(contains(message, "\n  AuthorMany (authors): migrate would change the type of column authors.name (field "
                            "name) from TEXT to REAL"));
    CHECK(contains(message, "\n  AuthorMany (authors): column authors.email (field email) is NOT NULL in the database "
                            "but nullable in the model"));
    CHECK(contains(message, "\n  AuthorMany (authors): column authors.nickname (field nickname) is missing and "
                            "cannot be added"));
    CHECK(contains(message, "\n  AuthorMany (authors): migrate would drop column authors.website (data would be "
                            "lost)"));
    CHECK(snapshot(db) == before);  // not even the articles table was created
}

// ---- check -------------------------------------------------------------------------------------

TEST_CASE("check reports the differences without changing anything") {
    covet::Database db{":memory:"};
    CHECK(db.check<Author>() ==
          std::vector<std::string>{"Author (authors): table authors does not exist (migrate creates it)"});
    CHECK(column_names(db, "authors").empty());

    db.migrate<Author>();
    add_two_authors(db);
    db.execute("DROP INDEX authors_name_idx");
    const auto before = snapshot(db);
    CHECK(db.check<Author>() == std::vector<std::string>{
                                    "Author (authors): index on (\"name\") is missing (migrate creates index "
                                    "authors_name_idx)"});
    const std::vector<std::string> lines = db.check<AuthorMany>();
    CHECK(lines.size() == 4);  // name retyped, email nullable, nickname not addable, website dropped
    CHECK(db.check<AuthorNewFields>().size() == 4);  // bio, age, handle would be added; the index created
    CHECK(snapshot(db) == before);

    // CHECK and DEFAULT differences are reported only: migrate goes on without them.
    const std::vector<std::string> reported = db.check<AuthorLongerName>();
    CHECK(reported == std::vector<std::string>{
                          "AuthorLongerName (authors): column authors.name (field name): the database lacks CHECK "
                          "(length(\"name\") <= 200) (reported only: migrate does not change CHECK constraints)",
                          "AuthorLongerName (authors): column authors.website (field website) has DEFAULT (none) in "
                          "the database, the model says 'https://example.com' (reported only: migrate does not "
                          "change defaults)",
                          "AuthorLongerName (authors): index on (\"name\") is missing (migrate creates index "
                          "authors_name_idx)",
                      });
    db.migrate<AuthorLongerName>();
    CHECK(db.check<AuthorLongerName>().size() == 2);
    CHECK(db.check<Author>().empty());
}

// ---- registry ----------------------------------------------------------------------------------

TEST_CASE("the registry knows the models migrated on each Database, by table and by type") {
    covet::Database db{":memory:"};
    covet::Database other{":memory:"};
    CHECK(covet::find_model(db, "authors") == nullptr);
    CHECK(covet::find_model<Author>(db) == nullptr);

    db.check<Author>();  // check registers nothing
    CHECK(covet::find_model<Author>(db) == nullptr);

    db.migrate<Author, Article>();
    CHECK(covet::find_model(db, "authors") == &covet::model_info<Author>());
    CHECK(covet::find_model(db, "ARTICLES") == &covet::model_info<Article>());  // like SQLite: case-insensitive
    CHECK(covet::find_model<Article>(db) == &covet::model_info<Article>());
    CHECK(covet::find_model(db, "tags") == nullptr);
    CHECK(covet::find_model<Tag>(db) == nullptr);
    CHECK(covet::registered_models(db) ==
          std::vector<const covet::ModelInfo*>{&covet::model_info<Article>(), &covet::model_info<Author>()});
    CHECK(covet::find_model(other, "authors") == nullptr);  // per Database
    CHECK(db.query_value("SELECT covet_cpp_models()") == Value{std::int64_t{2}});

    // A new version of a model replaces the old one for its table.
    db.migrate<AuthorNewFields>();
    CHECK(covet::find_model(db, "authors") == &covet::model_info<AuthorNewFields>());
    CHECK(covet::find_model<Author>(db) == nullptr);
}

TEST_CASE("a registry ends with its connection") {
    for (int i = 0; i < 3; ++i) {  // new connections may reuse the same sqlite3* address
        covet::Database db{":memory:"};
        CHECK(covet::find_model(db, "authors") == nullptr);
        db.migrate<Author>();
        CHECK(covet::find_model<Author>(db) == &covet::model_info<Author>());
    }
}

TEST_CASE("two models of one migrate cannot share a table") {
    covet::Database db{":memory:"};
    const std::string message = schema_error([&] { db.migrate<Author, AuthorDropped>(); });
    CHECK(message == "covet: models Author and AuthorDropped both use table \"authors\"");
    CHECK(column_names(db, "authors").empty());
}

// ---- relations ---------------------------------------------------------------------------------

namespace {
std::vector<std::string> relation_rows(covet::Database& db) {
    std::vector<std::string> rows;
    for (const covet::Row& row :
         db.query("SELECT name, kind, from_table, coalesce(from_column, '-'), to_table, to_column, "
                  "coalesce(on_delete, '-'), related_name, coalesce(through_table, '-'), "
                  "coalesce(through_from_column, '-'), coalesce(through_to_column, '-') FROM covet_relations "
                  "ORDER BY name")) {
        std::string line;
        for (int i = 0; i < row.size(); ++i) line += (i ? " " : "") + std::string(row.text(i));
        rows.push_back(line);
    }
    return rows;
}
}  // namespace

TEST_CASE("migrate registers every relation in covet_relations, with Django's junction names") {
    covet::Database db{":memory:"};
    db.migrate<library::Author, library::Profile, library::Category, library::Book>();
    CHECK(relation_rows(db) == std::vector<std::string>{
                                   "books.author foreign_key books author_id authors id CASCADE books - - -",
                                   "books.categories many_to_many books - categories id - books books_categories "
                                   "book_id category_id",
                                   "categories.parent foreign_key categories parent_id categories id SET_NULL "
                                   "children - - -",
                                   "profiles.author one_to_one profiles author_id authors id CASCADE profile - - -",
                               });
    // The junction table: Django's columns, unique pairs; the extension's triggers are installed.
    CHECK(db.query_value("SELECT sql FROM sqlite_schema WHERE name = 'books_categories'") ==
          Value{std::string("CREATE TABLE \"books_categories\" (\"id\" INTEGER PRIMARY KEY, \"book_id\" INTEGER NOT "
                            "NULL, \"category_id\" INTEGER NOT NULL, UNIQUE (\"book_id\", \"category_id\"))")});
    CHECK(db.query_value("SELECT count(*) FROM covet_check()") == Value{std::int64_t{0}});
    CHECK(db.query_value("SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND name = 'covet_delete:authors'") ==
          Value{std::int64_t{1}});
    // schema_sql prints the same registration.
    const std::string sql = db.schema_sql<library::Author, library::Profile, library::Category, library::Book>();
    CHECK(sql.find("INSERT INTO covet_relations(name, kind, from_table, from_column, to_table, to_column, on_delete, "
                   "related_name, through_table, through_from_column, through_to_column, default_value) VALUES "
                   "('books.author', 'foreign_key', 'books', 'author_id', 'authors', 'id', 'CASCADE', 'books', NULL, "
                   "NULL, NULL, NULL);") != std::string::npos);
    // Run again: nothing to do, nothing written.
    CHECK(db.check<library::Author, library::Profile, library::Category, library::Book>().empty());
    const auto changes = sqlite3_total_changes64(db.handle());
    db.migrate<library::Author, library::Profile, library::Category, library::Book>();
    CHECK(sqlite3_total_changes64(db.handle()) == changes);
}

TEST_CASE("migrate rebuilds covet's triggers made by an older covet, or dropped by hand") {
    covet::Database db{":memory:"};
    db.migrate<library::Author, library::Profile, library::Category, library::Book>();
    // The update trigger of books as covet made it before it compared referencing keys byte for byte.
    const std::string current =
        std::get<std::string>(db.query_value("SELECT sql FROM sqlite_schema WHERE name = 'covet_update:books'"));
    const std::string binary = " COLLATE BINARY AND";
    REQUIRE(current.find(binary) != std::string::npos);
    std::string older = current;
    for (std::size_t at; (at = older.find(binary)) != std::string::npos;) older.replace(at, binary.size(), " AND");
    db.execute_script("DROP TRIGGER \"covet_update:books\"; " + older + "; DROP TRIGGER \"covet_delete:authors\"");
    CHECK(db.query_value("SELECT group_concat(problem || ' ' || table_name, ', ') FROM (SELECT * FROM covet_check() "
                         "ORDER BY problem)") == Value{"missing_trigger authors, outdated_trigger books"});
    db.migrate<library::Author, library::Profile, library::Category, library::Book>();
    CHECK(db.query_value("SELECT count(*) FROM covet_check()") == Value{std::int64_t{0}});
    CHECK(db.query_value("SELECT sql FROM sqlite_schema WHERE name = 'covet_update:books'") == Value{current});
}

TEST_CASE("migrate brings on_delete and related_name back to the model's; other differences are refused") {
    covet::Database db{":memory:"};
    db.migrate<library::Author, library::Profile, library::Category, library::Book>();
    db.execute("UPDATE covet_relations SET on_delete = 'PROTECT' WHERE name = 'books.author'");
    CHECK(db.check<library::Author, library::Profile, library::Category, library::Book>() ==
          std::vector<std::string>{"Book (books): relation books.author: on_delete is 'PROTECT' in the database, "
                                   "'CASCADE' in the model (migrate updates it)"});
    db.migrate<library::Author, library::Profile, library::Category, library::Book>();
    CHECK(db.query_value("SELECT on_delete FROM covet_relations WHERE name = 'books.author'") ==
          Value{std::string("CASCADE")});
    // A relation registered on other columns would need a data migration: refused, nothing changed.
    db.execute("DELETE FROM covet_relations WHERE name = 'profiles.author'");
    db.execute("ALTER TABLE profiles ADD COLUMN owner_id INTEGER");
    db.execute("INSERT INTO covet_relations(name, kind, from_table, from_column, to_table, on_delete, related_name) "
               "VALUES ('profiles.author', 'one_to_one', 'profiles', 'owner_id', 'authors', 'CASCADE', 'profile')");
    try {
        db.migrate<library::Author, library::Profile, library::Category, library::Book>();
        FAIL("no exception");
    } catch (const covet::SchemaError& e) {
        CHECK(std::string(e.what()).find("Profile (profiles): relation profiles.author: from_column is 'owner_id' in "
                                         "the database, 'author_id' in the model (delete the relation from "
                                         "covet_relations to change it)") != std::string::npos);
    }
}

TEST_CASE("a relation to a model that is not migrated: SchemaError, and nothing is created") {
    covet::Database db{":memory:"};
    try {
        db.migrate<library::Profile>();
        FAIL("no exception");
    } catch (const covet::SchemaError& e) {
        const std::string message = e.what();
        CHECK(message.starts_with("covet: migrate could not register a relation; nothing was changed (every model a "
                                  "relation refers to must be migrated too): "));
        CHECK(message.find("authors") != std::string::npos);
    }
    CHECK(db.query_value("SELECT count(*) FROM sqlite_schema WHERE name = 'profiles'") == Value{std::int64_t{0}});
}
