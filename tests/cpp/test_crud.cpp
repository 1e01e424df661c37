// CRUD on models (crud.hpp): create, bulk_create, save, remove, get, get_or_create,
// update_or_create, refresh. Tables are created with raw SQL, relations through covet_relations.
#include <covet/crud.hpp>

#include <covet/database.hpp>
#include <covet/error.hpp>
#include <covet/model.hpp>
#include <doctest/doctest.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

using covet::Value;

struct Author {
    std::int64_t id = 0;
    std::string name{};
    std::string email{};
    std::optional<std::string> website{};
};
BOOST_HANA_ADAPT_STRUCT(Author, id, name, email, website);
template <>
struct covet::meta<Author> {
    static constexpr auto table = "authors";
    static constexpr auto fields = covet::fields(covet::field<&Author::name>{.max_length = 20},
                                                 covet::field<&Author::email>{.unique = true, .email = true},
                                                 covet::field<&Author::website>{.url = true});
    static inline const auto validators = covet::validators(covet::validator<&Author::name>(
        [](const std::string& name) -> std::string { return name.find('!') != std::string::npos ? "must not shout" : ""; }));
};

struct Book {
    std::int64_t id = 0;
    std::int64_t author_id = 0;
    std::string title{};
    std::int32_t pages = 0;
};
BOOST_HANA_ADAPT_STRUCT(Book, id, author_id, title, pages);
template <>
struct covet::meta<Book> {
    static constexpr auto table = "books";
};

struct Review {
    std::int64_t id = 0;
    std::int64_t book_id = 0;
    std::string body{};
};
BOOST_HANA_ADAPT_STRUCT(Review, id, book_id, body);
template <>
struct covet::meta<Review> {
    static constexpr auto table = "reviews";
};

struct Loan {
    std::int64_t id = 0;
    std::int64_t book_id = 0;
};
BOOST_HANA_ADAPT_STRUCT(Loan, id, book_id);
template <>
struct covet::meta<Loan> {
    static constexpr auto table = "loans";
};

struct Article {
    std::int64_t id = 0;
    std::string title{};
    std::chrono::sys_seconds created{};
    std::chrono::sys_time<std::chrono::milliseconds> updated{};
};
BOOST_HANA_ADAPT_STRUCT(Article, id, title, created, updated);
template <>
struct covet::meta<Article> {
    static constexpr auto table = "articles";
    static constexpr auto fields = covet::fields(covet::field<&Article::created>{.auto_now_add = true},
                                                 covet::field<&Article::updated>{.auto_now = true});
};

// A text primary key: never "unset", so save() tries an UPDATE first.
struct Tag {
    std::string slug{};
    std::string label{};
};
BOOST_HANA_ADAPT_STRUCT(Tag, slug, label);
template <>
struct covet::meta<Tag> {
    static constexpr auto table = "tags";
    static constexpr auto primary_key = &Tag::slug;
};

// An optional field over a NOT NULL column: only SQLite can refuse NULL there.
struct Note {
    std::int64_t id = 0;
    std::optional<std::string> body{};
};
BOOST_HANA_ADAPT_STRUCT(Note, id, body);
template <>
struct covet::meta<Note> {
    static constexpr auto table = "notes";
};

namespace {

std::int64_t integer(const Value& v) { return std::get<std::int64_t>(v); }
std::string text(const Value& v) { return std::get<std::string>(v); }

std::int64_t count(covet::Database& db, const std::string& table) {
    return integer(db.query_value("SELECT count(*) FROM \"" + table + "\""));
}

void make_schema(covet::Database& db) {
    db.execute_script(R"sql(
        CREATE TABLE authors(id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL UNIQUE, website TEXT);
        CREATE TABLE books(id INTEGER PRIMARY KEY, author_id INTEGER NOT NULL, title TEXT NOT NULL,
                           pages INTEGER NOT NULL CHECK (pages >= 0));
        CREATE TABLE reviews(id INTEGER PRIMARY KEY, book_id INTEGER NOT NULL, body TEXT NOT NULL);
        CREATE TABLE loans(id INTEGER PRIMARY KEY, book_id INTEGER NOT NULL);
        CREATE TABLE articles(id INTEGER PRIMARY KEY, title TEXT NOT NULL, created TEXT NOT NULL, updated TEXT NOT NULL);
        CREATE TABLE tags(slug TEXT PRIMARY KEY, label TEXT NOT NULL);
        CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT NOT NULL);
    )sql");
}

struct Fixture {
    covet::Database db{":memory:"};
    Fixture() { make_schema(db); }
};

Author ann() { return Author{.name = "Ann", .email = "ann@example.com", .website = "https://ann.example.com"}; }

}  // namespace

TEST_CASE_FIXTURE(Fixture, "create sets the primary key and writes every field") {
    Author a = db.create(ann());
    Author b = db.create(Author{.name = "Bob", .email = "bob@example.com"});
    CHECK(a.id > 0);
    CHECK(b.id > 0);
    CHECK(a.id != b.id);
    CHECK(a.name == "Ann");

    covet::Cursor row = db.query("SELECT name, email, website FROM authors WHERE id = ?", {Value{a.id}});
    REQUIRE(row.next());
    CHECK(row.row().text(0) == "Ann");
    CHECK(row.row().text(1) == "ann@example.com");
    CHECK(row.row().text(2) == "https://ann.example.com");
    row.close();
    CHECK(db.query_value("SELECT website FROM authors WHERE id = ?", {Value{b.id}}) == Value{nullptr});

    // The INSERT is prepared once per model: a second create reuses the cached statement.
    const std::int64_t prepared = db.prepare_count();
    const std::int64_t queries = db.query_count();
    Author c = db.create(Author{.name = "Cy", .email = "cy@example.com"});
    CHECK(db.prepare_count() == prepared);
    CHECK(db.query_count() == queries + 1);
    CHECK(c.id == b.id + 1);

    // An explicit key is kept.
    Author d = db.create(Author{.id = 100, .name = "Di", .email = "di@example.com"});
    CHECK(d.id == 100);
    CHECK(text(db.query_value("SELECT name FROM authors WHERE id = 100")) == "Di");
}

TEST_CASE_FIXTURE(Fixture, "a failed validation names model, field and value, and runs no SQL") {
    struct Case {
        Author author;
        const char* field;
        const char* value;
        const char* problem;
    };
    const Case cases[] = {
        {Author{.name = "A name far longer than twenty", .email = "x@example.com"}, "name",
         "'A name far longer than twenty'", "Author.name: is longer than 20 characters"},
        {Author{.name = "Ann", .email = "not-an-email"}, "email", "'not-an-email'",
         "Author.email: is not a valid e-mail address"},
        {Author{.name = "Ann", .email = "x@example.com", .website = "nope"}, "website", "'nope'",
         "Author.website: is not a valid URL"},
        {Author{.name = "Ann!", .email = "x@example.com"}, "name", "'Ann!'", "Author.name: must not shout"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.problem);
        const std::int64_t queries = db.query_count();
        try {
            db.create(c.author);
            FAIL("no ValidationError");
        } catch (const covet::ValidationError& e) {
            CHECK(e.model() == "Author");
            CHECK(e.field() == c.field);
            CHECK(e.value() == c.value);
            CHECK(std::string(e.what()).find(c.problem) != std::string::npos);
            CHECK(std::string(e.what()).find(c.value) != std::string::npos);
        }
        CHECK(db.query_count() == queries);
        // save() validates the same way, also before any SQL.
        Author copy = c.author;
        CHECK_THROWS_AS(db.save(copy), covet::ValidationError);
        CHECK(db.query_count() == queries);
    }
    CHECK(count(db, "authors") == 0);
}

TEST_CASE_FIXTURE(Fixture, "constraint failures are IntegrityErrors naming the model and the field") {
    db.create(ann());
    try {
        db.create(Author{.name = "Other", .email = "ann@example.com"});
        FAIL("no IntegrityError");
    } catch (const covet::IntegrityError& e) {
        CHECK(e.model() == "Author");
        CHECK(e.field() == "email");
        CHECK(e.value() == "'ann@example.com'");
        CHECK(e.sqlite_code() == SQLITE_CONSTRAINT_UNIQUE);
        CHECK(std::string(e.what()).find("Author") != std::string::npos);
        CHECK(std::string(e.what()).find("UNIQUE constraint failed: authors.email") != std::string::npos);
    }
    CHECK(count(db, "authors") == 1);

    try {
        db.create(Book{.author_id = 1, .title = "Negative", .pages = -1});
        FAIL("no IntegrityError");
    } catch (const covet::IntegrityError& e) {
        CHECK(e.model() == "Book");
        CHECK(e.field() == "pages");
        CHECK(e.value() == "-1");
        CHECK(e.sqlite_code() == SQLITE_CONSTRAINT_CHECK);
    }

    try {
        db.create(Note{});
        FAIL("no IntegrityError");
    } catch (const covet::IntegrityError& e) {
        CHECK(e.model() == "Note");
        CHECK(e.field() == "body");
        CHECK(e.value() == "NULL");
        CHECK(e.sqlite_code() == SQLITE_CONSTRAINT_NOTNULL);
    }
    CHECK(count(db, "books") == 0);
    CHECK(count(db, "notes") == 0);
}

TEST_CASE_FIXTURE(Fixture, "save inserts when the key is unset and updates otherwise") {
    Author a = ann();
    db.save(a);
    REQUIRE(a.id > 0);
    CHECK(count(db, "authors") == 1);

    a.name = "Ann B.";
    a.website.reset();
    std::vector<std::string> run;
    auto previous = db.on_query([&](std::string_view sql, std::chrono::nanoseconds) { run.emplace_back(sql); });
    db.save(a);
    db.on_query(previous);
    REQUIRE(run.size() == 1);
    CHECK(run[0].rfind("UPDATE \"authors\" SET", 0) == 0);
    CHECK(count(db, "authors") == 1);
    CHECK(text(db.query_value("SELECT name FROM authors WHERE id = ?", {Value{a.id}})) == "Ann B.");
    CHECK(db.query_value("SELECT website FROM authors WHERE id = ?", {Value{a.id}}) == Value{nullptr});

    // A key no row has: INSERTed with that key, as Django does.
    Author b{.id = 42, .name = "Bob", .email = "bob@example.com"};
    db.save(b);
    CHECK(b.id == 42);
    CHECK(text(db.query_value("SELECT name FROM authors WHERE id = 42")) == "Bob");
    CHECK(count(db, "authors") == 2);

    // A text key is never unset: UPDATE first, then INSERT.
    Tag tag{.slug = "cpp", .label = "C++"};
    db.save(tag);
    tag.label = "C++20";
    db.save(tag);
    CHECK(count(db, "tags") == 1);
    CHECK(text(db.query_value("SELECT label FROM tags WHERE slug = 'cpp'")) == "C++20");
}

TEST_CASE_FIXTURE(Fixture, "auto_now_add is set on insert only, auto_now on every save") {
    using namespace std::chrono;
    const auto before = floor<seconds>(system_clock::now());
    Article a = db.create(Article{.title = "First"});
    const auto after = system_clock::now();
    CHECK(a.created >= before);
    CHECK(a.created <= after);
    CHECK(a.updated >= before);
    CHECK(a.updated <= after);
    // Stored as the formatted text of the object's values.
    Article stored = db.get<Article>(a.id);
    CHECK(stored.created == a.created);
    CHECK(stored.updated == a.updated);

    // Updating: created is left as it is, updated moves to now.
    const sys_seconds old_created = sys_days{2001y / 2 / 3} + 4h;
    a.created = old_created;
    a.updated = sys_days{2001y / 2 / 3};
    a.title = "Second";
    const auto save_time = floor<milliseconds>(system_clock::now());
    db.save(a);
    CHECK(a.created == old_created);
    CHECK(a.updated >= save_time);
    CHECK(text(db.query_value("SELECT created FROM articles WHERE id = ?", {Value{a.id}})) == "2001-02-03 04:00:00");
    CHECK(db.get<Article>(a.id).updated == a.updated);

    // save() of a new object sets both.
    Article b{.title = "Third"};
    db.save(b);
    CHECK(b.created >= before);
    CHECK(b.updated >= save_time);
}

TEST_CASE_FIXTURE(Fixture, "bulk_create: one transaction, one prepared statement, keys set") {
    std::vector<Author> authors;
    for (int i = 0; i < 10000; ++i)
        authors.push_back(Author{.name = "A" + std::to_string(i), .email = "a" + std::to_string(i) + "@example.com"});

    std::set<std::string> distinct;
    std::int64_t statements = 0;
    auto previous = db.on_query([&](std::string_view sql, std::chrono::nanoseconds) {
        distinct.emplace(sql);
        ++statements;
    });
    const std::int64_t prepared = db.prepare_count();
    const std::int64_t queries = db.query_count();
    std::vector<Author> created = db.bulk_create(std::move(authors));
    db.on_query(previous);

    CHECK(db.query_count() - queries == 10002);  // BEGIN, 10,000 INSERTs, COMMIT
    CHECK(statements == 10002);
    CHECK(db.prepare_count() - prepared <= 3);  // BEGIN, INSERT, COMMIT at most
    CHECK(distinct == std::set<std::string>{"BEGIN", "COMMIT", std::string(covet::detail::crud_sql<Author>().insert)});
    REQUIRE(created.size() == 10000);
    for (std::size_t i = 0; i < created.size(); ++i) {
        REQUIRE(created[i].id == static_cast<std::int64_t>(i) + 1);
        REQUIRE(created[i].name == "A" + std::to_string(i));
    }
    CHECK(count(db, "authors") == 10000);
    CHECK(text(db.query_value("SELECT email FROM authors WHERE id = 5000")) == "a4999@example.com");
}

TEST_CASE_FIXTURE(Fixture, "bulk_create: keys given and keys assigned in one run") {
    std::vector<Author> authors{{.name = "a", .email = "a@example.com"},
                                {.id = 50, .name = "b", .email = "b@example.com"},
                                {.name = "c", .email = "c@example.com"}};
    const std::vector<Author> created = db.bulk_create(std::move(authors));
    REQUIRE(created.size() == 3);
    CHECK(created[0].id == 1);
    CHECK(created[1].id == 50);
    CHECK(created[2].id == 51);  // the rowid after the largest
    CHECK(text(db.query_value("SELECT group_concat(id || name, ',') FROM (SELECT * FROM authors ORDER BY id)")) ==
          "1a,50b,51c");
}

TEST_CASE_FIXTURE(Fixture, "bulk_create rolls every row back when one fails") {
    db.create(Author{.name = "Existing", .email = "taken@example.com"});
    std::vector<Author> authors;
    for (int i = 0; i < 10; ++i)
        authors.push_back(Author{.name = "A" + std::to_string(i), .email = "a" + std::to_string(i) + "@example.com"});
    authors[7].email = "taken@example.com";
    try {
        db.bulk_create(authors);
        FAIL("no IntegrityError");
    } catch (const covet::IntegrityError& e) {
        CHECK(e.model() == "Author");
        CHECK(e.field() == "email");
        CHECK(e.value().find("taken@example.com") != std::string::npos);  // the failing object's, not another's
    }
    CHECK(count(db, "authors") == 1);
    CHECK_FALSE(db.in_transaction());

    // An invalid object: refused before any SQL, naming its position.
    authors[7].email = "fine@example.com";
    authors[3].email = "broken";
    const std::int64_t queries = db.query_count();
    try {
        db.bulk_create(authors);
        FAIL("no ValidationError");
    } catch (const covet::ValidationError& e) {
        CHECK(e.field() == "email");
        CHECK(std::string(e.what()).find("object 3") != std::string::npos);
    }
    CHECK(db.query_count() == queries);
    CHECK(count(db, "authors") == 1);
}

TEST_CASE_FIXTURE(Fixture, "get returns the row, or throws DoesNotExist naming model and key") {
    const Author a = db.create(ann());
    const Author got = db.get<Author>(a.id);
    CHECK(got.id == a.id);
    CHECK(got.name == "Ann");
    CHECK(got.email == "ann@example.com");
    CHECK(got.website == std::optional<std::string>("https://ann.example.com"));

    try {
        db.get<Author>(999);
        FAIL("no DoesNotExist");
    } catch (const covet::DoesNotExist& e) {
        CHECK(e.model() == "Author");
        CHECK(e.field() == "id");
        CHECK(e.value() == "999");
        CHECK(std::string(e.what()) == "covet: Author matching id = 999 does not exist");
    }

    db.create(Tag{.slug = "sql", .label = "SQL"});
    CHECK(db.get<Tag>("sql").label == "SQL");
    CHECK_THROWS_WITH_AS(db.get<Tag>("nosql"), "covet: Tag matching slug = 'nosql' does not exist", covet::DoesNotExist);
}

TEST_CASE_FIXTURE(Fixture, "get_or_create finds or creates, in one transaction") {
    const std::int64_t queries = db.query_count();
    auto [created, was_created] = db.get_or_create(ann(), &Author::email);
    CHECK(was_created);
    CHECK(created.id > 0);
    CHECK(db.query_count() - queries == 4);  // BEGIN IMMEDIATE, SELECT, INSERT, COMMIT

    // Found by email: the stored row comes back, the other values are not written.
    auto [found, found_created] = db.get_or_create(Author{.name = "Someone else", .email = "ann@example.com"}, "email");
    CHECK_FALSE(found_created);
    CHECK(found.id == created.id);
    CHECK(found.name == "Ann");
    CHECK(count(db, "authors") == 1);

    // Several lookup fields, one of them nullable (NULL matches NULL).
    auto [b1, c1] = db.get_or_create(Author{.name = "Bob", .email = "bob@example.com"}, &Author::name, &Author::website);
    auto [b2, c2] = db.get_or_create(Author{.name = "Bob", .email = "other@example.com"}, &Author::name, &Author::website);
    CHECK(c1);
    CHECK_FALSE(c2);
    CHECK(b2.id == b1.id);
    CHECK(b2.email == "bob@example.com");

    db.create(Author{.name = "Bob", .email = "bob2@example.com"});
    CHECK_THROWS_AS(db.get_or_create(Author{.name = "Bob", .email = "x@example.com"}, &Author::name),
                    covet::MultipleObjectsReturned);
    CHECK_THROWS_WITH_AS(db.get_or_create(ann(), "nope"),
                         "covet: Author has no field 'nope' (fields: id, name, email, website)", covet::UsageError);
    CHECK_FALSE(db.in_transaction());
}

TEST_CASE_FIXTURE(Fixture, "update_or_create updates the found row or creates one") {
    auto [a, created] = db.update_or_create(ann(), &Author::email);
    CHECK(created);
    CHECK(a.id > 0);

    auto [b, b_created] =
        db.update_or_create(Author{.name = "Ann Updated", .email = "ann@example.com", .website = std::nullopt}, &Author::email);
    CHECK_FALSE(b_created);
    CHECK(b.id == a.id);
    CHECK(b.name == "Ann Updated");
    CHECK(count(db, "authors") == 1);
    const Author stored = db.get<Author>(a.id);
    CHECK(stored.name == "Ann Updated");
    CHECK_FALSE(stored.website.has_value());

    // auto_now_add keeps the stored value; auto_now moves.
    using namespace std::chrono;
    Article first = db.create(Article{.title = "Same"});
    db.execute("UPDATE articles SET created = '2000-01-01 00:00:00', updated = '2000-01-01 00:00:00'");
    auto [art, art_created] = db.update_or_create(Article{.title = "Same"}, &Article::title);
    CHECK_FALSE(art_created);
    CHECK(art.id == first.id);
    CHECK(art.created == sys_days{2000y / 1 / 1});
    CHECK(art.updated > sys_days{2000y / 1 / 1});
    CHECK(text(db.query_value("SELECT created FROM articles")) == "2000-01-01 00:00:00");
    CHECK(text(db.query_value("SELECT updated FROM articles")) != "2000-01-01 00:00:00");
}

TEST_CASE_FIXTURE(Fixture, "refresh reloads the row, DoesNotExist once it is gone") {
    Author a = db.create(ann());
    db.execute("UPDATE authors SET name = 'Changed', website = NULL WHERE id = ?", {Value{a.id}});
    db.refresh(a);
    CHECK(a.name == "Changed");
    CHECK_FALSE(a.website.has_value());
    CHECK(a.email == "ann@example.com");

    db.execute("DELETE FROM authors WHERE id = ?", {Value{a.id}});
    try {
        db.refresh(a);
        FAIL("no DoesNotExist");
    } catch (const covet::DoesNotExist& e) {
        CHECK(e.model() == "Author");
        CHECK(e.value() == std::to_string(a.id));
    }
}

TEST_CASE_FIXTURE(Fixture, "remove cascades through the relations and counts per table") {
    db.execute("INSERT INTO covet_relations(kind, from_table, from_column, to_table, on_delete) "
               "VALUES ('foreign_key', 'books', 'author_id', 'authors', 'CASCADE')");
    db.execute("INSERT INTO covet_relations(kind, from_table, from_column, to_table, on_delete) "
               "VALUES ('foreign_key', 'reviews', 'book_id', 'books', 'CASCADE')");
    const Author a = db.create(ann());
    const Author b = db.create(Author{.name = "Bob", .email = "bob@example.com"});
    const Book a1 = db.create(Book{.author_id = a.id, .title = "A1", .pages = 10});
    const Book a2 = db.create(Book{.author_id = a.id, .title = "A2", .pages = 20});
    const Book b1 = db.create(Book{.author_id = b.id, .title = "B1", .pages = 30});
    db.create(Review{.book_id = a1.id, .body = "good"});
    db.create(Review{.book_id = a1.id, .body = "bad"});
    db.create(Review{.book_id = a2.id, .body = "fine"});
    db.create(Review{.book_id = b1.id, .body = "kept"});

    const covet::DeleteResult result = db.remove(a);
    CHECK(result.total == 6);
    CHECK(result.per_table == std::map<std::string, std::int64_t>{{"authors", 1}, {"books", 2}, {"reviews", 3}});
    CHECK(count(db, "authors") == 1);
    CHECK(count(db, "books") == 1);
    CHECK(count(db, "reviews") == 1);
    CHECK(text(db.query_value("SELECT body FROM reviews")) == "kept");
    CHECK_THROWS_AS(db.get<Author>(a.id), covet::DoesNotExist);

    // A row already gone: nothing to delete.
    const covet::DeleteResult again = db.remove(a);
    CHECK(again.total == 0);
    CHECK(again.per_table.empty());
    // An object never saved cannot be deleted.
    CHECK_THROWS_AS(db.remove(Author{.name = "New", .email = "new@example.com"}), covet::UsageError);
}

TEST_CASE_FIXTURE(Fixture, "remove refused by PROTECT deletes nothing") {
    db.execute("INSERT INTO covet_relations(kind, from_table, from_column, to_table, on_delete) "
               "VALUES ('foreign_key', 'books', 'author_id', 'authors', 'CASCADE')");
    db.execute("INSERT INTO covet_relations(kind, from_table, from_column, to_table, on_delete) "
               "VALUES ('foreign_key', 'loans', 'book_id', 'books', 'PROTECT')");
    const Author a = db.create(ann());
    const Book free_book = db.create(Book{.author_id = a.id, .title = "Free", .pages = 1});
    const Book loaned = db.create(Book{.author_id = a.id, .title = "Loaned", .pages = 2});
    db.create(Loan{.book_id = loaned.id});

    try {
        db.remove(a);
        FAIL("no ProtectedError");
    } catch (const covet::ProtectedError& e) {
        CHECK(e.model() == "Author");
        CHECK(std::string(e.what()).find("covet: PROTECT") != std::string::npos);
        CHECK(std::string(e.what()).find("loans") != std::string::npos);
    }
    CHECK(count(db, "authors") == 1);
    CHECK(count(db, "books") == 2);
    CHECK(count(db, "loans") == 1);

    // The unprotected book alone can go.
    const covet::DeleteResult result = db.remove(free_book);
    CHECK(result.total == 1);
    CHECK(result.per_table == std::map<std::string, std::int64_t>{{"books", 1}});
}
