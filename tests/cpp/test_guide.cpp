// The examples of docs/cpp.md, the C++ guide, compiled and checked: every code block of the guide
// is one TEST_CASE here (same code; where the guide prints or says "// -> ...", a CHECK says it).
// When the API changes, this suite fails and the guide is updated with it.
//
// The guide's models are declared once, at the top: each reflected struct costs compile time.
#include <covet/covet.hpp>

#include <doctest/doctest.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <vector>

using namespace std::chrono_literals;

// ---- The guide's models ------------------------------------------------------------------------

// Quick start / defining models: an Author.
struct Author {
    std::int64_t id = 0;  // the field named id is the primary key; 0 = "not saved yet"
    std::string name{};
    std::string email{};
    std::optional<std::string> website{};  // optional: a nullable column
};
BOOST_HANA_ADAPT_STRUCT(Author, id, name, email, website);

template <>
struct covet::meta<Author> {
    static constexpr auto table = "authors";
    static constexpr auto ordering = std::array{"name"};
    static constexpr auto fields = covet::fields(covet::field<&Author::name>{.max_length = 100},
                                                 covet::field<&Author::email>{.unique = true, .email = true},
                                                 covet::field<&Author::website>{.url = true});
    static inline const auto validators = covet::validators(covet::validator<&Author::name>(
        [](const std::string& name) -> std::string { return name.find('!') != std::string::npos ? "must not shout" : ""; }));
};

enum class Genre { Fiction, Science, History };
template <>
struct covet::enum_names<Genre> {  // stored as text: 'fiction', 'science', 'history'
    static constexpr std::array names{"fiction", "science", "history"};
};

struct Book {
    std::int64_t id = 0;
    std::int64_t author_id = 0;
    std::string title{};
    std::int32_t pages = 0;
    Genre genre = Genre::Fiction;
    std::optional<double> rating{};
    std::chrono::sys_days published{};  // "1965-08-01"
};
BOOST_HANA_ADAPT_STRUCT(Book, id, author_id, title, pages, genre, rating, published);

template <>
struct covet::meta<Book> {
    static constexpr auto table = "books";
    static constexpr auto unique_together = std::array{"author_id", "title"};
    static constexpr auto indexes = std::array{std::array{"author_id"}, std::array{"genre"}};
};

// Every other field type and option.
enum class Priority { Low, Normal, High };  // no enum_names: stored as 0, 1, 2

struct Article {
    std::int64_t id = 0;
    std::string title{};
    std::string slug{};
    Priority priority = Priority::Normal;
    double score = 0;
    bool featured = false;
    std::int64_t views = 0;
    std::optional<covet::Blob> cover{};
    std::chrono::sys_seconds created{};
    std::chrono::sys_time<std::chrono::milliseconds> updated{};
    std::optional<std::chrono::year_month_day> embargo{};
};
BOOST_HANA_ADAPT_STRUCT(Article, id, title, slug, priority, score, featured, views, cover, created, updated, embargo);

template <>
struct covet::meta<Article> {  // no table: "articles" (snake_case of the struct name + "s")
    static constexpr auto ordering = std::array{"-created", "title"};
    static constexpr auto fields = covet::fields(
        covet::field<&Article::title>{.max_length = 200, .default_value = "Untitled"},
        covet::field<&Article::slug>{.db_column = "url_slug", .unique = true},
        covet::field<&Article::views>{.db_index = true, .default_value = 100},
        covet::field<&Article::created>{.auto_now_add = true},
        covet::field<&Article::updated>{.auto_now = true});
};

// A text primary key.
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

namespace {

// The data most examples use: 4 authors, 6 books.
void add_library(covet::Database& db) {
    using namespace std::chrono;
    db.migrate<Author, Book>();
    const Author ann = db.create(Author{.name = "Ann", .email = "ann@example.com", .website = "https://ann.dev"});
    const Author bob = db.create(Author{.name = "Bob", .email = "bob@example.org"});
    const Author cid = db.create(Author{.name = "Cid", .email = "cid@mail.net"});
    db.create(Author{.name = "alice", .email = "alice@example.com"});
    db.bulk_create(std::vector<Book>{
        {.author_id = ann.id, .title = "Dune", .pages = 412, .genre = Genre::Fiction, .rating = 4.5, .published = 1965y / 8 / 1},
        {.author_id = ann.id, .title = "Cosmos", .pages = 365, .genre = Genre::Science, .rating = 4.8, .published = 1980y / 10 / 1},
        {.author_id = bob.id, .title = "SPQR", .pages = 608, .genre = Genre::History, .published = 2015y / 10 / 20},
        {.author_id = cid.id, .title = "The Hobbit", .pages = 310, .genre = Genre::Fiction, .rating = 4.7, .published = 1937y / 9 / 21},
        {.author_id = cid.id, .title = "A Brief History of Time", .pages = 256, .genre = Genre::Science, .published = 1988y / 4 / 1},
        {.author_id = bob.id, .title = "draft_notes", .pages = 12, .genre = Genre::History, .rating = 1.0, .published = 2020y / 1 / 1},
    });
}

std::vector<std::string> titles(const covet::QuerySet<Book>& books) {
    std::vector<std::string> out;
    for (const Book& b : books) out.push_back(b.title);
    return out;
}

std::string text(const covet::Value& v) { return std::get<std::string>(v); }
std::int64_t integer(const covet::Value& v) { return std::get<std::int64_t>(v); }

using Strings = std::vector<std::string>;

}  // namespace

// ---- Quick start -------------------------------------------------------------------------------

TEST_CASE("guide: quick start") {
    std::ostringstream out;  // the guide prints to std::cout
    using covet::f;
    using namespace std::chrono;

    covet::Database db{":memory:"};  // the guide: "library.db"
    db.migrate<Author, Book>();      // CREATE TABLE ... for what is missing

    Author ann = db.create(Author{.name = "Ann", .email = "ann@example.com"});
    db.create(Book{.author_id = ann.id, .title = "Dune", .pages = 412, .published = 1965y / 8 / 1});
    db.create(Book{.author_id = ann.id, .title = "Cosmos", .pages = 365, .genre = Genre::Science});

    for (const Book& b : db.objects<Book>().filter(f<&Book::pages> > 400).order_by("title"))
        out << b.title << " (" << b.pages << " pages)\n";
    out << db.objects<Book>().filter(f<&Book::author_id> == ann.id).count() << " books by " << ann.name << '\n';

    CHECK(ann.id == 1);
    CHECK(out.str() == "Dune (412 pages)\n2 books by Ann\n");
}

// ---- Defining models ---------------------------------------------------------------------------

TEST_CASE("guide: how each field type is stored") {
    using namespace std::chrono;
    covet::Database db{":memory:"};
    db.migrate<Article>();
    const Article a = db.create(Article{
        .title = "Hello",
        .slug = "hello",
        .priority = Priority::High,
        .score = 2.5,
        .featured = true,
        .cover = covet::Blob{std::byte{0xff}, std::byte{0xd8}},
        .embargo = 2030y / 1 / 31,
    });
    covet::Cursor c = db.query("SELECT priority, featured, score, hex(cover), embargo, typeof(created) FROM articles");
    REQUIRE(c.next());
    const covet::Row& row = c.row();
    CHECK(row.int64(0) == 2);           // an enum without enum_names: its integer value
    CHECK(row.int64(1) == 1);           // bool: 0 / 1
    CHECK(row.real(2) == 2.5);          // double: REAL
    CHECK(row.text(3) == "FFD8");       // covet::Blob: BLOB
    CHECK(row.text(4) == "2030-01-31"); // year_month_day: ISO-8601 text
    CHECK(row.text(5) == "text");       // time points too: "2024-01-31 12:34:56"
    c.close();
    CHECK(db.get<Article>(a.id).embargo == std::optional<year_month_day>(2030y / 1 / 31));
}

TEST_CASE("guide: time points and dates are ISO-8601 text") {
    using namespace std::chrono;
    const sys_seconds t = sys_days{2024y / 1 / 31} + 12h + 34min + 56s;
    CHECK(covet::field_traits<sys_seconds>::to_value(t) == covet::Value{std::string("2024-01-31 12:34:56")});
    CHECK(covet::field_traits<sys_time<milliseconds>>::to_value(t + 7ms) ==
          covet::Value{std::string("2024-01-31 12:34:56.007")});
    CHECK(covet::field_traits<sys_days>::to_value(sys_days{2024y / 1 / 31}) == covet::Value{std::string("2024-01-31")});
    CHECK(covet::field_traits<Genre>::to_value(Genre::Science) == covet::Value{std::string("science")});
    CHECK(covet::field_traits<Priority>::to_value(Priority::High) == covet::Value{std::int64_t{2}});
}

TEST_CASE("guide: the DDL of a model") {
    covet::Database db{":memory:"};
    CHECK(db.schema_sql<Article>() ==
          "CREATE TABLE \"articles\" (\"id\" INTEGER PRIMARY KEY, "
          "\"title\" TEXT NOT NULL DEFAULT 'Untitled' CHECK (length(\"title\") <= 200), "
          "\"url_slug\" TEXT NOT NULL UNIQUE, \"priority\" INTEGER NOT NULL, \"score\" REAL NOT NULL, "
          "\"featured\" INTEGER NOT NULL, \"views\" INTEGER NOT NULL DEFAULT 100, \"cover\" BLOB, "
          "\"created\" TEXT NOT NULL, \"updated\" TEXT NOT NULL, \"embargo\" TEXT);\n"
          "CREATE INDEX \"articles_views_idx\" ON \"articles\" (\"views\");\n");
    CHECK(db.schema_sql<Book>() ==
          "CREATE TABLE \"books\" (\"id\" INTEGER PRIMARY KEY, \"author_id\" INTEGER NOT NULL, "
          "\"title\" TEXT NOT NULL, \"pages\" INTEGER NOT NULL, "
          "\"genre\" TEXT NOT NULL CHECK (\"genre\" IN ('fiction','science','history')), \"rating\" REAL, "
          "\"published\" TEXT NOT NULL, UNIQUE (\"author_id\", \"title\"));\n"
          "CREATE INDEX \"books_author_id_idx\" ON \"books\" (\"author_id\");\n"
          "CREATE INDEX \"books_genre_idx\" ON \"books\" (\"genre\");\n");
    CHECK(db.schema_sql<Tag>() ==
          "CREATE TABLE \"tags\" (\"slug\" TEXT PRIMARY KEY NOT NULL, \"label\" TEXT NOT NULL);\n");
}

TEST_CASE("guide: default_value is the DDL DEFAULT, not create()'s") {
    covet::Database db{":memory:"};
    db.migrate<Article>();
    // A raw SQL client that leaves the column out gets the DEFAULT ...
    db.execute("INSERT INTO articles (url_slug, priority, score, featured, created, updated) "
               "VALUES ('raw', 1, 0, 0, '2024-01-01 00:00:00', '2024-01-01 00:00:00')");
    CHECK(integer(db.query_value("SELECT views FROM articles WHERE url_slug = 'raw'")) == 100);
    CHECK(text(db.query_value("SELECT title FROM articles WHERE url_slug = 'raw'")) == "Untitled");
    // ... create() writes every member of the struct: here views = 0 and title = "".
    const Article a = db.create(Article{.slug = "cpp"});
    CHECK(a.views == 0);
    CHECK(integer(db.query_value("SELECT views FROM articles WHERE url_slug = 'cpp'")) == 0);
    CHECK(text(db.query_value("SELECT title FROM articles WHERE url_slug = 'cpp'")).empty());
}

TEST_CASE("guide: auto_now_add and auto_now") {
    using namespace std::chrono;
    covet::Database db{":memory:"};
    db.migrate<Article>();
    const auto before = floor<seconds>(system_clock::now());
    Article a = db.create(Article{.title = "First", .slug = "first"});
    CHECK(a.created >= before);  // set by create()
    CHECK(a.updated >= before);
    const auto created = a.created;
    a.title = "Second";
    db.save(a);                  // updated moves, created stays
    CHECK(a.created == created);
    CHECK(a.updated >= before);
}

TEST_CASE("guide: validation runs before any SQL") {
    covet::Database db{":memory:"};
    db.migrate<Author>();
    const auto queries = db.query_count();
    try {
        db.create(Author{.name = "Bob!", .email = "not-an-email"});
        FAIL("no ValidationError");
    } catch (const covet::ValidationError& e) {
        CHECK(std::string(e.what()) ==
              "covet: invalid Author: Author.name: must not shout (value: 'Bob!'); "
              "Author.email: is not a valid e-mail address (value: 'not-an-email')");
        CHECK(e.model() == "Author");
        CHECK(e.field() == "name");  // the first problem
        CHECK(e.value() == "'Bob!'");
    }
    CHECK(db.query_count() == queries);  // nothing ran
    CHECK_THROWS_AS(db.create(Author{.name = std::string(101, 'x'), .email = "x@example.com"}), covet::ValidationError);
    CHECK_THROWS_AS(db.create(Author{.name = "Ann", .email = "a@example.com", .website = "example.com"}),
                    covet::ValidationError);  // url: needs a scheme
}

TEST_CASE("guide: model_info, what covet learned about a model") {
    const covet::ModelInfo& info = covet::model_info<Article>();
    CHECK(info.name == "Article");
    CHECK(info.table == "articles");
    CHECK(info.columns[info.primary_key].field == "id");
    CHECK(covet::column_of<&Article::slug>().name == "url_slug");
    CHECK(covet::model_info<Tag>().columns[covet::model_info<Tag>().primary_key].field == "slug");
}

// ---- The Database ------------------------------------------------------------------------------

TEST_CASE("guide: opening a database, raw SQL") {
    const std::filesystem::path path = std::filesystem::temp_directory_path() / "covet_guide_library.db";
    std::filesystem::remove(path);
    {
        covet::Database db{path.string(), {.busy_timeout = std::chrono::milliseconds(2000)}};
        CHECK(text(db.query_value("PRAGMA journal_mode")) == "wal");
        CHECK(integer(db.query_value("PRAGMA busy_timeout")) == 2000);

        db.execute("CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT NOT NULL)");
        const std::int64_t changed = db.execute("INSERT INTO notes(body) VALUES (?), (?)", {covet::Value{"a"}, covet::Value{"b"}});
        CHECK(changed == 2);
        CHECK(db.last_insert_rowid() == 2);
        std::string bodies;
        for (const covet::Row& row : db.query("SELECT id, body FROM notes WHERE id >= ?", {covet::Value{1}}))
            bodies += std::to_string(row.int64(0)) + "=" + std::string(row.text(1)) + " ";
        CHECK(bodies == "1=a 2=b ");
        CHECK(db.query_value("SELECT count(*) FROM notes") == covet::Value{std::int64_t{2}});
    }
    std::filesystem::remove(path);
    std::filesystem::remove(path.string() + "-wal");
    std::filesystem::remove(path.string() + "-shm");
}

TEST_CASE("guide: one Database per thread") {
    covet::Database db{":memory:"};
    std::string error;
    std::thread other([&] {
        try {
            db.execute("SELECT 1");
        } catch (const covet::UsageError& e) {
            error = e.what();
        }
        covet::Database mine{":memory:"};  // the right way: a Database of its own
        mine.execute("SELECT 1");
    });
    other.join();
    CHECK(error.find("one Database per thread") != std::string::npos);
}

TEST_CASE("guide: the statement cache") {
    covet::Database db{":memory:"};
    db.migrate<Author>();
    db.create(Author{.name = "Ann", .email = "ann@example.com"});
    const auto prepared = db.prepare_count();
    db.create(Author{.name = "Bob", .email = "bob@example.com"});  // the same INSERT: reused
    CHECK(db.prepare_count() == prepared);
    CHECK(db.statement_cache_size() > 0);
}

// ---- Schema ------------------------------------------------------------------------------------

TEST_CASE("guide: migrate, check and schema_sql") {
    covet::Database db{":memory:"};
    CHECK(db.check<Author>() ==
          Strings{"Author (authors): table authors does not exist (migrate creates it)"});
    db.migrate<Author, Book>();
    CHECK(db.check<Author, Book>().empty());
    db.migrate<Author, Book>();  // idempotent: reads, changes nothing
    CHECK(covet::find_model<Book>(db) == &covet::model_info<Book>());
    CHECK(covet::find_model(db, "authors") == &covet::model_info<Author>());
}

TEST_CASE("guide: migrate adds new fields") {
    covet::Database db{":memory:"};
    db.execute("CREATE TABLE tags(slug TEXT PRIMARY KEY NOT NULL)");  // an older version of Tag
    CHECK(db.check<Tag>() ==
          Strings{"Tag (tags): column tags.label (field label) is missing (migrate adds it with ALTER TABLE ADD COLUMN)"});
    db.migrate<Tag>();  // ALTER TABLE "tags" ADD COLUMN "label" TEXT NOT NULL (the table is empty)
    CHECK(db.check<Tag>().empty());
}

TEST_CASE("guide: what migrate refuses") {
    covet::Database db{":memory:"};
    db.execute("CREATE TABLE tags(slug TEXT PRIMARY KEY NOT NULL, label TEXT NOT NULL, color TEXT)");
    try {
        db.migrate<Tag>();
        FAIL("no SchemaError");
    } catch (const covet::SchemaError& e) {
        CHECK(std::string(e.what()) ==
              "covet: migrate refused: the models differ from the database in ways that would lose data or need "
              "a table rebuild; nothing was changed. Differences:\n"
              "  Tag (tags): migrate would drop column tags.color (data would be lost): no field of Tag is "
              "stored in it (refused)");
    }
}

// ---- CRUD --------------------------------------------------------------------------------------

TEST_CASE("guide: create and bulk_create") {
    covet::Database db{":memory:"};
    db.migrate<Author>();
    Author ann = db.create(Author{.name = "Ann", .email = "ann@example.com"});
    CHECK(ann.id == 1);
    std::vector<Author> more = db.bulk_create(std::vector<Author>{
        {.name = "Bob", .email = "bob@example.com"},
        {.name = "Cid", .email = "cid@example.com"},
    });
    CHECK(more[0].id == 2);
    CHECK(more[1].id == 3);
    Author di = db.create(Author{.id = 100, .name = "Di", .email = "di@example.com"});  // an explicit key is kept
    CHECK(di.id == 100);
}

TEST_CASE("guide: save, get, refresh") {
    covet::Database db{":memory:"};
    db.migrate<Author, Tag>();
    Author a{.name = "Ann", .email = "ann@example.com"};
    db.save(a);  // id was 0: INSERT, a.id is set
    CHECK(a.id == 1);
    a.website = "https://ann.dev";
    db.save(a);  // UPDATE every column
    CHECK(db.get<Author>(a.id).website == std::optional<std::string>("https://ann.dev"));

    db.execute("UPDATE authors SET name = 'Ann B.' WHERE id = 1");
    db.refresh(a);
    CHECK(a.name == "Ann B.");

    Tag tag{.slug = "cpp", .label = "C++"};
    db.save(tag);  // a text key is never "unset": UPDATE, then INSERT when no row has it
    CHECK(db.get<Tag>("cpp").label == "C++");
    CHECK_THROWS_WITH_AS(db.get<Tag>("rust"), "covet: Tag matching slug = 'rust' does not exist", covet::DoesNotExist);
}

TEST_CASE("guide: get_or_create and update_or_create") {
    covet::Database db{":memory:"};
    db.migrate<Author>();
    auto [ann, created] = db.get_or_create(Author{.name = "Ann", .email = "ann@example.com"}, &Author::email);
    CHECK(created);
    auto [same, created_again] = db.get_or_create(Author{.name = "Someone", .email = "ann@example.com"}, "email");
    CHECK_FALSE(created_again);
    CHECK(same.id == ann.id);
    CHECK(same.name == "Ann");  // the stored row; the object's other fields are ignored

    auto [updated, was_created] = db.update_or_create(Author{.name = "Ann B.", .email = "ann@example.com"}, &Author::email);
    CHECK_FALSE(was_created);
    CHECK(updated.id == ann.id);
    CHECK(db.get<Author>(ann.id).name == "Ann B.");
}

TEST_CASE("guide: remove with DeleteResult") {
    covet::Database db{":memory:"};
    add_library(db);
    db.execute("INSERT INTO covet_relations(kind, from_table, from_column, to_table, on_delete) "
               "VALUES ('foreign_key', 'books', 'author_id', 'authors', 'CASCADE')");
    const Author ann = db.objects<Author>().get(covet::f<&Author::name> == "Ann");
    const covet::DeleteResult r = db.remove(ann);
    CHECK(r.total == 3);
    CHECK(r.per_table == std::map<std::string, std::int64_t>{{"authors", 1}, {"books", 2}});
    CHECK(db.remove(ann).total == 0);  // already gone
    CHECK_THROWS_AS(db.remove(Author{.name = "New", .email = "new@example.com"}), covet::UsageError);  // never saved
}

// ---- QuerySets ---------------------------------------------------------------------------------

TEST_CASE("guide: a QuerySet is lazy and immutable") {
    using covet::f;
    covet::Database db{":memory:"};
    add_library(db);
    const auto before = db.query_count();
    const auto books = db.objects<Book>();
    const auto long_ones = books.filter(f<&Book::pages> > 400);  // a new set; books is unchanged
    const auto sorted = long_ones.order_by("-pages");
    CHECK(db.query_count() == before);  // nothing ran yet
    CHECK(titles(sorted) == Strings{"SPQR", "Dune"});
    CHECK(db.query_count() == before + 1);
    CHECK(books.count() == 6);
    CHECK(titles(sorted).size() == 2);  // runs again: no result cache
    CHECK(db.query_count() == before + 3);
}

TEST_CASE("guide: typed filters") {
    using covet::f;
    using namespace std::chrono;
    covet::Database db{":memory:"};
    add_library(db);
    const auto books = db.objects<Book>().order_by("id");
    CHECK(titles(books.filter(f<&Book::title> == "Dune")) == Strings{"Dune"});
    CHECK(titles(books.filter(f<&Book::pages> >= 412)) == Strings{"Dune", "SPQR"});
    CHECK(titles(books.filter(f<&Book::genre> == Genre::Science)) == Strings{"Cosmos", "A Brief History of Time"});
    CHECK(titles(books.filter(f<&Book::published> < sys_days{1970y / 1 / 1})) == Strings{"Dune", "The Hobbit"});
    CHECK(titles(books.filter(f<&Book::rating> == std::nullopt)) == Strings{"SPQR", "A Brief History of Time"});
    CHECK(titles(books.filter(f<&Book::rating> != 4.5)).size() == 5);  // NULL ratings kept, as Django's exclude
    CHECK(titles(books.filter(f<&Book::id>.in({1, 3}))) == Strings{"Dune", "SPQR"});
    CHECK(titles(books.filter(f<&Book::pages>.between(300, 400))) == Strings{"Cosmos", "The Hobbit"});
    CHECK(titles(books.filter(f<&Book::rating>.isnull(false) && f<&Book::title>.icontains("the"))) == Strings{"The Hobbit"});
    CHECK(titles(books.filter(f<&Book::genre> == Genre::History || f<&Book::pages> > 400)) == Strings{"Dune", "SPQR", "draft_notes"});
    CHECK(titles(books.filter(!(f<&Book::author_id> == 1))).size() == 4);
    CHECK(titles(books.filter(f<&Book::title>.startswith("The"))) == Strings{"The Hobbit"});
    CHECK(titles(books.filter(f<&Book::title>.startswith("the"))).empty());  // case-sensitive
    CHECK(titles(books.filter(f<&Book::title>.istartswith("the"))) == Strings{"The Hobbit"});
}

TEST_CASE("guide: string lookups") {
    covet::Database db{":memory:"};
    add_library(db);
    const auto books = db.objects<Book>().order_by("id");
    CHECK(titles(books.filter("title", "Dune")) == Strings{"Dune"});                       // exact
    CHECK(titles(books.filter("title__iexact", "dune")) == Strings{"Dune"});
    CHECK(titles(books.filter("title__contains", "S")) == Strings{"SPQR"});                 // case-sensitive
    CHECK(titles(books.filter("title__icontains", "s")).size() == 4);
    CHECK(titles(books.filter("title__icontains", "_")) == Strings{"draft_notes"});        // _ and % are literal
    CHECK(titles(books.filter("title__startswith", "The")) == Strings{"The Hobbit"});
    CHECK(titles(books.filter("title__istartswith", "the")) == Strings{"The Hobbit"});
    CHECK(titles(books.filter("title__endswith", "e")) == Strings{"Dune", "A Brief History of Time"});
    CHECK(titles(books.filter("title__iendswith", "TIME")) == Strings{"A Brief History of Time"});
    CHECK(titles(books.filter("pages__gt", 412)) == Strings{"SPQR"});
    CHECK(titles(books.filter("pages__gte", 412)) == Strings{"Dune", "SPQR"});
    CHECK(titles(books.filter("pages__lt", 256)) == Strings{"draft_notes"});
    CHECK(titles(books.filter("pages__lte", 256)) == Strings{"A Brief History of Time", "draft_notes"});
    CHECK(titles(books.filter("id__in", {1, 3})) == Strings{"Dune", "SPQR"});
    CHECK(titles(books.filter("id__in", std::vector<std::int64_t>{})).empty());
    CHECK(titles(books.filter("pages__range", {300, 400})) == Strings{"Cosmos", "The Hobbit"});
    CHECK(titles(books.filter("rating__isnull", true)) == Strings{"SPQR", "A Brief History of Time"});
    CHECK(titles(books.filter("genre", Genre::History)) == Strings{"SPQR", "draft_notes"});
    CHECK(titles(books.filter("pk", 2)) == Strings{"Cosmos"});
    CHECK(titles(books.filter(covet::Q("pages__lt", 100) || covet::f<&Book::title> == "SPQR")) == Strings{"SPQR", "draft_notes"});
    try {
        (void)books.filter("colour", "red");
        FAIL("no UsageError");
    } catch (const covet::UsageError& e) {
        CHECK(std::string(e.what()) ==
              "covet: Book has no field 'colour' (fields: id, author_id, title, pages, genre, rating, published)");
    }
}

TEST_CASE("guide: exclude, order_by, distinct, slicing") {
    using covet::f;
    covet::Database db{":memory:"};
    add_library(db);
    const auto books = db.objects<Book>();
    CHECK(titles(books.exclude(f<&Book::rating> > 4.6).order_by("id")) ==
          Strings{"Dune", "SPQR", "A Brief History of Time", "draft_notes"});  // NULLs stay
    CHECK(titles(books.order_by("-pages").limit(3)) == Strings{"SPQR", "Dune", "Cosmos"});
    CHECK(titles(books.order_by(f<&Book::genre>, -f<&Book::pages>).limit(2)) == Strings{"Dune", "The Hobbit"});
    CHECK(titles(books.order_by("id").slice(1, 3)) == Strings{"Cosmos", "SPQR"});  // Python's [1:3]
    CHECK(titles(books.order_by("id").offset(4)) == Strings{"A Brief History of Time", "draft_notes"});
    CHECK(titles(books.order_by("-pages").reverse().limit(1)) == Strings{"draft_notes"});
    std::vector<std::string> names;
    for (const Author& a : db.objects<Author>()) names.push_back(a.name);  // meta ordering: name
    CHECK(names == Strings{"Ann", "Bob", "Cid", "alice"});  // BINARY collation: 'a' sorts after 'C'
    CHECK(books.values<&Book::author_id>().distinct().count() == 3);
    CHECK_THROWS_AS((void)books.limit(2).filter(f<&Book::id> == 1), covet::UsageError);  // filter after a slice
}

TEST_CASE("guide: first, last, get, count, exists, to_vector") {
    using covet::f;
    covet::Database db{":memory:"};
    add_library(db);
    const auto books = db.objects<Book>();
    CHECK(books.first()->title == "Dune");  // unordered: by primary key
    CHECK(books.order_by("-pages").first()->title == "SPQR");
    CHECK(books.last()->title == "draft_notes");
    CHECK_FALSE(books.filter(f<&Book::pages> > 1000).first().has_value());
    CHECK(books.get(f<&Book::title> == "SPQR").pages == 608);
    CHECK(books.get("title", "Cosmos").genre == Genre::Science);
    CHECK_THROWS_WITH_AS((void)books.get(f<&Book::title> == "Emma"), "covet: Book matching query does not exist (title='Emma')",
                         covet::DoesNotExist);
    CHECK_THROWS_WITH_AS((void)books.get(f<&Book::genre> == Genre::Fiction),
                         "covet: get() returned more than one Book -- it returned 2! (genre='fiction')",
                         covet::MultipleObjectsReturned);
    CHECK(books.filter(f<&Book::pages> > 300).count() == 4);
    CHECK(books.filter(f<&Book::title>.icontains("hobbit")).exists());
    const std::vector<Book> all = books.order_by("id").to_vector();
    CHECK(all.size() == 6);
    CHECK(all[2].title == "SPQR");
}

TEST_CASE("guide: values") {
    using covet::f;
    covet::Database db{":memory:"};
    add_library(db);
    std::vector<std::tuple<std::string, std::int32_t>> rows =
        db.objects<Book>().filter(f<&Book::author_id> == 2).order_by("-pages").values<&Book::title, &Book::pages>().to_vector();
    CHECK(rows == std::vector<std::tuple<std::string, std::int32_t>>{{"SPQR", 608}, {"draft_notes", 12}});
    std::string line;
    for (const auto& [title, rating] : db.objects<Book>().values<&Book::title, &Book::rating>().order_by("id").limit(3))
        line += title + ":" + (rating ? std::to_string(*rating).substr(0, 3) : "-") + " ";
    CHECK(line == "Dune:4.5 Cosmos:4.8 SPQR:- ");
}

TEST_CASE("guide: update and remove on a QuerySet") {
    using covet::f;
    covet::Database db{":memory:"};
    add_library(db);
    db.execute("INSERT INTO covet_relations(kind, from_table, from_column, to_table, on_delete) "
               "VALUES ('foreign_key', 'books', 'author_id', 'authors', 'CASCADE')");
    const auto books = db.objects<Book>();
    CHECK(books.filter(f<&Book::genre> == Genre::Fiction).update(f<&Book::rating> = 5.0) == 2);
    CHECK(books.filter("title", "draft_notes").update({{"title", "Notes"}, {"pages", 13}}) == 1);
    CHECK(books.get(f<&Book::pages> == 13).title == "Notes");

    const covet::DeleteResult r = db.objects<Author>().filter(f<&Author::name>.in({"Ann", "Cid"})).remove();
    CHECK(r.total == 6);
    CHECK(r.per_table == std::map<std::string, std::int64_t>{{"authors", 2}, {"books", 4}});
}

TEST_CASE("guide: aggregates and annotate") {
    using covet::f;
    covet::Database db{":memory:"};
    add_library(db);
    const auto books = db.objects<Book>();
    auto [n, rated, pages, avg_rating] =
        books.aggregate(covet::count_rows(), f<&Book::rating>.count(), f<&Book::pages>.sum(), f<&Book::rating>.avg());
    CHECK(n == 6);                       // std::int64_t
    CHECK(rated == 4);                   // non-NULL ratings
    CHECK(pages == 1963);                // std::optional<std::int64_t>
    CHECK(*avg_rating == doctest::Approx(3.75));  // std::optional<double>
    CHECK(books.sum<&Book::pages>() == 1963);
    CHECK(books.max<&Book::published>() == std::chrono::sys_days{std::chrono::year{2020} / 1 / 1});
    CHECK_FALSE(books.filter(f<&Book::pages> > 1000).sum<&Book::pages>().has_value());  // None over no rows

    const std::map<std::string, covet::Value> plain = books.aggregate(covet::Count(), covet::Max("pages"));
    CHECK(plain.at("count") == covet::Value{std::int64_t{6}});
    CHECK(plain.at("pages__max") == covet::Value{std::int64_t{608}});

    std::vector<std::tuple<Genre, std::int64_t, std::optional<std::int64_t>>> per_genre =
        books.values<&Book::genre>().annotate(covet::count_rows(), f<&Book::pages>.sum().as("total")).order_by("-total").to_vector();
    CHECK(per_genre == std::vector<std::tuple<Genre, std::int64_t, std::optional<std::int64_t>>>{
                           {Genre::Fiction, 2, 722}, {Genre::Science, 2, 621}, {Genre::History, 2, 620}});
}

TEST_CASE("guide: the SQL of a QuerySet") {
    using covet::f;
    covet::Database db{":memory:"};
    const covet::Sql sql = db.objects<Book>().filter(f<&Book::title>.startswith("The")).order_by("-pages").limit(5).sql();
    CHECK(sql.text ==
          "SELECT \"books\".\"id\", \"books\".\"author_id\", \"books\".\"title\", \"books\".\"pages\", "
          "\"books\".\"genre\", \"books\".\"rating\", \"books\".\"published\" FROM \"books\" "
          "WHERE substr(\"books\".\"title\", 1, length(?1)) = ?1 ORDER BY \"books\".\"pages\" DESC LIMIT ?2");
    CHECK(sql.params == std::vector<covet::Value>{covet::Value{std::string("The")}, covet::Value{std::int64_t{5}}});
}

// ---- Transactions ------------------------------------------------------------------------------

TEST_CASE("guide: db.transaction") {
    covet::Database db{":memory:"};
    db.migrate<Author>();
    const std::int64_t id = db.transaction([&] {
        Author a = db.create(Author{.name = "Ann", .email = "ann@example.com"});
        db.create(Author{.name = "Bob", .email = "bob@example.com"});
        return a.id;
    });
    CHECK(id == 1);
    try {
        db.transaction([&] {
            db.create(Author{.name = "Cid", .email = "cid@example.com"});
            db.create(Author{.name = "Dup", .email = "ann@example.com"});  // IntegrityError: UNIQUE
        });
    } catch (const covet::IntegrityError&) {
    }
    CHECK(db.objects<Author>().count() == 2);  // Cid was rolled back too
}

TEST_CASE("guide: the Transaction guard and nesting") {
    covet::Database db{":memory:"};
    db.migrate<Author>();
    {
        covet::Transaction outer{db, covet::TransactionMode::Immediate};  // BEGIN IMMEDIATE
        db.create(Author{.name = "Ann", .email = "ann@example.com"});
        try {
            covet::Transaction inner{db};  // SAVEPOINT
            CHECK(inner.is_savepoint());
            db.create(Author{.name = "Bob", .email = "bob@example.com"});
            throw std::runtime_error("changed my mind");  // inner rolls back to its savepoint
        } catch (const std::runtime_error&) {
        }
        outer.commit();  // COMMIT: Ann only
    }
    CHECK(db.objects<Author>().values<&Author::name>().to_vector() == std::vector<std::tuple<std::string>>{{"Ann"}});
    {
        covet::Transaction t{db};
        db.create(Author{.name = "Cid", .email = "cid@example.com"});
    }  // no commit(): rolled back
    CHECK(db.objects<Author>().count() == 1);
}

// ---- Errors ------------------------------------------------------------------------------------

TEST_CASE("guide: errors carry model, field, value and SQLite's code") {
    covet::Database db{":memory:"};
    db.migrate<Author>();
    db.create(Author{.name = "Ann", .email = "ann@example.com"});
    try {
        db.create(Author{.name = "Other", .email = "ann@example.com"});
        FAIL("no IntegrityError");
    } catch (const covet::IntegrityError& e) {
        CHECK(e.model() == "Author");
        CHECK(e.field() == "email");
        CHECK(e.value() == "'ann@example.com'");
        CHECK(e.sqlite_code() == SQLITE_CONSTRAINT_UNIQUE);
        CHECK(covet::sqlite_code_name(e.sqlite_code()) == "SQLITE_CONSTRAINT_UNIQUE");
        CHECK(std::string(e.what()).starts_with("covet: cannot save Author"));
        CHECK(std::string(e.what()).find("UNIQUE constraint failed: authors.email") != std::string::npos);
    }
    CHECK_THROWS_WITH_AS(db.get<Author>(42), "covet: Author matching id = 42 does not exist", covet::DoesNotExist);
    CHECK_THROWS_AS(db.execute("SELECT * FROM nowhere"), covet::SchemaError);
    try {
        db.execute("SELEC 1");
    } catch (const covet::Error& e) {
        CHECK(e.sql() == "SELEC 1");
        CHECK(std::string(e.what()).find("[SQLITE_ERROR] in: SELEC 1") != std::string::npos);
    }
}

TEST_CASE("guide: PROTECT and RESTRICT") {
    covet::Database db{":memory:"};
    add_library(db);
    db.execute("INSERT INTO covet_relations(kind, from_table, from_column, to_table, on_delete) "
               "VALUES ('foreign_key', 'books', 'author_id', 'authors', 'PROTECT')");
    const Author ann = db.objects<Author>().get(covet::f<&Author::name> == "Ann");
    CHECK_THROWS_AS(db.remove(ann), covet::ProtectedError);
    CHECK_THROWS_AS(db.remove(ann), covet::IntegrityError);  // its base class
    CHECK(db.objects<Book>().count() == 6);                  // nothing deleted
    const Author alice = db.objects<Author>().get(covet::f<&Author::name> == "alice");
    CHECK(db.remove(alice).total == 1);  // no books: nothing protects her
}

// ---- Observability -----------------------------------------------------------------------------

TEST_CASE("guide: query_count, on_query, assert_num_queries") {
    using covet::f;
    covet::Database db{":memory:"};
    add_library(db);
    std::vector<std::string> log;
    db.on_query([&](std::string_view sql, std::chrono::nanoseconds) { log.emplace_back(sql); });
    const auto before = db.query_count();
    (void)db.objects<Book>().filter(f<&Book::pages> > 300).count();
    CHECK(db.query_count() == before + 1);
    REQUIRE(log.size() == 1);
    CHECK(log[0] == "SELECT count(*) FROM \"books\" WHERE \"books\".\"pages\" > ?1");
    db.on_query({});  // removes the hook

    covet::assert_num_queries(db, 1, [&] { (void)db.objects<Book>().order_by("id").first(); });
    try {
        covet::assert_num_queries(db, 1, [&] {
            for (const Book& b : db.objects<Book>().filter(f<&Book::id> <= 2)) (void)db.get<Author>(b.author_id);
        });
        FAIL("no error");
    } catch (const covet::Error& e) {
        CHECK(std::string(e.what()).starts_with("covet: expected 1 query, 3 were run:\n  1. SELECT"));
    }
}
