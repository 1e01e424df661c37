// covet::ForeignKey and covet::OneToOne (foreign_key.hpp, one_to_one.hpp, to_one.hpp): the key
// without a query, the lazy cached object, assignment, NULL, self relations, to_field and
// db_column, and the lifetime of a loaded relation.
#include "library_fixture.hpp"

#include <covet/covet.hpp>
#include <doctest/doctest.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

using namespace library;

TEST_CASE_FIXTURE(Library, "test_foreignkey: forward access, reverse set") {
    const Author author = db.create(Author{.name = "Test Author", .email = "test@example.com"});
    const Book book = db.create(Book{.title = "Test Book", .author = author, .published_date = "2020-01-01"});
    Book loaded = db.get<Book>(book.id);
    CHECK(loaded.author->id == author.id);
    const std::vector<Book> books = covet::reverse<&Book::author>(db, author).all();
    REQUIRE(books.size() == 1);
    CHECK(books[0].id == book.id);
}

TEST_CASE_FIXTURE(Library, "the key is read without a query; the object loads once, then is cached") {
    Book b = db.get<Book>(dune.id);
    CHECK(queries([&] { CHECK(b.author.id() == ann.id); }) == 0);
    CHECK_FALSE(b.author.is_cached());
    CHECK(queries([&] { CHECK(b.author->name == "Ann"); }) == 1);
    CHECK(b.author.is_cached());
    CHECK(queries([&] {
              CHECK(b.author->email == "ann@example.com");
              CHECK((*b.author).name == "Ann");
          }) == 0);
    // The loaded author is a full object: its own relations load from the same Database.
    CHECK(queries([&] { CHECK(b.author->profile->bio == "Ann's bio"); }) == 1);
    CHECK(queries([&] { CHECK(b.author->books.count() == 2); }) == 1);
}

TEST_CASE_FIXTURE(Library, "assignment sets key and cache; save() writes the key") {
    Book b = db.get<Book>(dune.id);
    b.author = bob;
    CHECK(b.author.id() == bob.id);
    CHECK(b.author.is_cached());
    CHECK(queries([&] { CHECK(b.author->name == "Bob"); }) == 0);
    db.save(b);
    CHECK(db.get<Book>(dune.id).author.id() == bob.id);
    // Assigning a key drops the cached object (it is another one).
    b.author = cid.id;
    CHECK_FALSE(b.author.is_cached());
    CHECK(b.author->name == "Cid");
    // The same key keeps it.
    b.author = cid.id;
    CHECK(b.author.is_cached());
    // Designated initializers take an object or a key.
    const Book by_key = db.create(Book{.title = "K", .author = bob.id, .published_date = "2001-01-01"});
    CHECK(db.get<Book>(by_key.id).author->name == "Bob");
}

TEST_CASE_FIXTURE(Library, "an assigned object saved later gives its key at save(); an unsaved one is refused") {
    Author later{.name = "Later", .email = "later@example.com"};
    Book b{.title = "Pending", .author = later, .published_date = "2020-02-02"};
    CHECK(b.author.id() == 0);
    const std::string before = snapshot();
    const std::string message = message_of([&] { db.save(b); });
    CHECK(message == "covet: save() prohibited: Book.author is an unsaved Author (save it first)");
    CHECK_THROWS_AS(db.save(b), covet::ValidationError);
    CHECK(snapshot() == before);
    // Saving the author first, through the relation's cached object, as Django allows.
    b.author.reset();
    later = db.create(later);
    b.author = later;
    db.save(b);
    CHECK(b.author.id() == later.id);
    CHECK(db.get<Book>(b.id).author->email == "later@example.com");
}

TEST_CASE_FIXTURE(Library, "nullable relations: empty reads as no value, -> on it is a clear error") {
    Category top = db.get<Category>(fiction.id);
    CHECK_FALSE(top.parent.has_value());
    CHECK_FALSE(static_cast<bool>(top.parent));
    CHECK(top.parent.id() == std::nullopt);
    CHECK(queries([&] {
              CHECK(message_of([&] { (void)top.parent->name; }) ==
                    "covet: Category.parent is NULL: there is no Category to read (check has_value() first)");
          }) == 0);
    Category child = db.get<Category>(sf.id);
    CHECK(child.parent.has_value());
    CHECK(child.parent->name == "Fiction");
    child.parent = std::nullopt;
    CHECK_FALSE(child.parent.is_cached());
    db.save(child);
    CHECK_FALSE(db.get<Category>(sf.id).parent.has_value());
    // In a designated initializer too.
    const Category orphan = db.create(Category{.name = "Orphan", .parent = std::nullopt});
    CHECK(db.query_value("SELECT parent_id FROM categories WHERE id = ?", {covet::Value{orphan.id}}) ==
          covet::Value{nullptr});
}

TEST_CASE_FIXTURE(Library, "self relations: a category tree, both directions") {
    const Category novels = db.create(Category{.name = "Novels", .parent = fiction});
    const Category space = db.create(Category{.name = "Space opera", .parent = sf});
    Category loaded = db.get<Category>(space.id);
    CHECK(loaded.parent->name == "SF");
    CHECK(loaded.parent->parent->name == "Fiction");
    CHECK_FALSE(loaded.parent->parent->parent.has_value());
    std::vector<std::string> children;
    for (const Category& c : db.get<Category>(fiction.id).children.order_by("name")) children.push_back(c.name);
    CHECK(children == std::vector<std::string>{"Novels", "SF"});
    CHECK(db.objects<Category>().filter("parent__parent__name", "Fiction").get().id == space.id);
    CHECK(db.objects<Category>().filter("children__name", "Space opera").get().id == sf.id);
    (void)novels;
}

TEST_CASE_FIXTURE(Library, "a key no row has: RelatedObjectDoesNotExist naming the relation and the key") {
    db.execute("PRAGMA foreign_keys = OFF");
    db.execute("DROP TRIGGER IF EXISTS \"covet_update:books\"");  // let a dangling key in, as DO_NOTHING would
    db.execute("UPDATE books SET author_id = 99 WHERE id = ?", {covet::Value{dune.id}});
    Book b = db.get<Book>(dune.id);
    try {
        (void)b.author->name;
        FAIL("no exception");
    } catch (const covet::RelatedObjectDoesNotExist& e) {
        CHECK(std::string(e.what()) == "covet: Book.author: there is no Author with id = 99 (deleted, or never there)");
        CHECK(e.model() == "Author");
        CHECK(e.value() == "99");
    }
    CHECK_THROWS_AS((void)b.author->name, covet::DoesNotExist);  // Django: a subclass of DoesNotExist
}

TEST_CASE("using a relation after its Database is gone is a covet::Error, not a dangling pointer") {
    Book book;
    {
        covet::Database db{":memory:"};
        db.migrate<Author, Profile, Category, Book>();
        const Author a = db.create(Author{.name = "A", .email = "a@example.com"});
        db.create(Book{.title = "T", .author = a, .published_date = "2000-01-01"});
        book = db.objects<Book>().get();
    }
    CHECK(book.author.id() == 1);  // the key is the object's own
    CHECK(message_of([&] { (void)book.author->name; }) ==
          "covet: Book.author: the Database its object was read from has been closed");
    CHECK(message_of([&] { (void)book.categories.count(); }) ==
          "covet: Book.categories: the Database its object was read from has been closed");
    // An object built by hand has no Database: it says how to pass one.
    Book by_hand{.title = "x", .author = 1};
    const std::string message = message_of([&] { (void)by_hand.author->name; });
    CHECK(message.starts_with("covet: a ForeignKey to Author belongs to an object that was not read from or saved "
                              "to a Database"));
}

TEST_CASE_FIXTURE(Library, "get(db) loads through a given Database; copies copy the cached object") {
    Book by_hand{.title = "x", .author = ann.id};
    CHECK(by_hand.author.get(db).name == "Ann");
    Book copy = by_hand;
    CHECK(copy.author.is_cached());
    copy.author->name = "Changed";
    CHECK(by_hand.author->name == "Ann");  // a copy, not shared
}

TEST_CASE_FIXTURE(Library, "test_onetoone: forward, reverse (one object), uniqueness") {
    const Profile profile = db.objects<Profile>().get("author", ann.id);
    Profile loaded = db.get<Profile>(profile.id);
    CHECK(loaded.author->id == ann.id);
    CHECK(covet::reverse<&Profile::author>(db, ann).id == profile.id);
    Author a = db.get<Author>(ann.id);
    CHECK(queries([&] { CHECK(a.profile->id == profile.id); }) == 1);
    CHECK(queries([&] { CHECK(a.profile.get().bio == "Ann's bio"); }) == 0);
    // A second profile for the same author violates the UNIQUE column, and changes nothing.
    const std::string before = snapshot();
    CHECK_THROWS_AS(db.create(Profile{.author = ann, .bio = "again", .website = "https://x.example.com"}),
                    covet::IntegrityError);
    CHECK(snapshot() == before);
}

TEST_CASE_FIXTURE(Library, "reverse OneToOne with no object: RelatedObjectDoesNotExist, or an empty optional") {
    Author b = db.get<Author>(bob.id);
    CHECK(message_of([&] { (void)b.profile->bio; }) == "covet: Author.profile: Author 2 has no Profile");
    CHECK_THROWS_AS((void)b.profile.get(), covet::RelatedObjectDoesNotExist);
    CHECK(queries([&] { CHECK_FALSE(b.profile.optional().has_value()); }) == 0);  // known absent now
    CHECK_FALSE(covet::reverse_optional<&Profile::author>(db, bob).has_value());
    CHECK_THROWS_AS(covet::reverse<&Profile::author>(db, bob), covet::RelatedObjectDoesNotExist);
    CHECK(covet::reverse_optional<&Profile::author>(db, cid)->bio == "Cid's bio");
}

namespace keyed {

struct Country {
    std::int64_t id = 0;
    std::string code;
    std::string name;
};
struct City {
    std::int64_t id = 0;
    std::string name;
    covet::ForeignKey<Country, {.on_delete = covet::Cascade, .related_name = "cities", .to_field = "code",
                                .db_column = "country_code"},
                      std::string>
        country;
};

}  // namespace keyed
BOOST_HANA_ADAPT_STRUCT(keyed::Country, id, code, name);
BOOST_HANA_ADAPT_STRUCT(keyed::City, id, name, country);
template <>
struct covet::meta<keyed::Country> {
    static constexpr auto table = "countries";
    static constexpr auto unique = std::array{"code"};
};
template <>
struct covet::meta<keyed::City> {
    static constexpr auto table = "cities";
};

TEST_CASE("to_field and db_column: a text key to a unique field, in a column of its own name") {
    using namespace keyed;
    covet::Database db{":memory:"};
    db.migrate<Country, City>();
    CHECK(db.query_value("SELECT to_column FROM covet_relations WHERE name = 'cities.country'") ==
          covet::Value{std::string("code")});
    const Country fr = db.create(Country{.code = "FR", .name = "France"});
    const City paris = db.create(City{.name = "Paris", .country = fr});
    CHECK(db.query_value("SELECT country_code FROM cities") == covet::Value{std::string("FR")});
    City loaded = db.get<City>(paris.id);
    CHECK(loaded.country.id() == "FR");
    CHECK(loaded.country->name == "France");
    CHECK(db.objects<City>().filter("country__name", "France").count() == 1);
    CHECK(db.objects<City>().select_related("country").get().country->name == "France");
    CHECK(covet::reverse<&City::country>(db, fr).count() == 1);
    CHECK(db.remove(fr).per_table == std::map<std::string, std::int64_t>{{"cities", 1}, {"countries", 1}});
}

namespace {

bool triggers_enabled(covet::Database& db) {
    int enabled = 0;
    sqlite3_db_config(db.handle(), SQLITE_DBCONFIG_ENABLE_TRIGGER, -1, &enabled);
    return enabled != 0;
}

// The statements body() runs, as SQL text.
template <class F>
std::vector<std::string> statements_of(covet::Database& db, F&& body) {
    std::vector<std::string> out;
    auto previous = db.on_query([&](std::string_view sql, auto) { out.emplace_back(sql); });
    body();
    db.on_query(std::move(previous));
    return out;
}

std::size_t count_containing(const std::vector<std::string>& statements, std::string_view part) {
    return static_cast<std::size_t>(std::count_if(statements.begin(), statements.end(),
                                                  [&](const std::string& s) { return s.find(part) != s.npos; }));
}

}  // namespace

TEST_CASE_FIXTURE(Library, "bulk_create checks its keys once per relation at the end, not row by row") {
    std::vector<Book> books;
    for (int i = 0; i < 50; ++i)
        books.push_back(Book{.title = "B" + std::to_string(i), .author = i % 2 ? ann : bob, .pages = i});
    std::vector<Book> created;
    const std::vector<std::string> statements = statements_of(db, [&] { created = db.bulk_create(std::move(books)); });
    // One check of the two distinct authors, through json_each, once for all 50 rows.
    CHECK(count_containing(statements, "json_each") == 1);
    CHECK(count_containing(statements, "INSERT INTO \"books\"") == 50);
    CHECK(db.objects<Book>().filter("author", ann.id).count() == 2 + 25);
    CHECK(triggers_enabled(db));
    // The created objects' relation members know their Database, as create()'s do.
    REQUIRE(created.size() == 50);
    CHECK(created[49].author->name == "Ann");
    CHECK(created[49].categories.count() == 0);
    created[49].categories.add(fiction);
    CHECK(db.get<Book>(created[49].id).categories.count() == 1);
}

TEST_CASE_FIXTURE(Library, "bulk_create with a key no row has: IntegrityError naming it, nothing created") {
    const std::string before = snapshot();
    std::vector<Book> books{Book{.title = "Fine", .author = ann}, Book{.title = "Bad", .author = std::int64_t{999}},
                            Book{.title = "Bad again", .author = std::int64_t{999}}};
    try {
        db.bulk_create(std::move(books));
        FAIL("no exception");
    } catch (const covet::IntegrityError& e) {
        CHECK(std::string(e.what()) ==
              "covet: books.author_id must reference an existing authors.id (relation books.author): there is no "
              "authors.id = 999 (object 1 of Book's bulk_create)");
        CHECK(e.field() == "author_id");
        CHECK(e.value() == "999");
    }
    CHECK(snapshot() == before);
    // The extension's trigger is on again: plain SQL is still checked row by row.
    CHECK(triggers_enabled(db));
    CHECK_THROWS_AS(db.execute("INSERT INTO books(title, author_id, published_date, pages) VALUES ('x', 999, '', 1)"),
                    covet::IntegrityError);
    CHECK(snapshot() == before);
}

TEST_CASE_FIXTURE(Library, "bulk_create of a tree: a key may refer to a row of the same bulk_create") {
    Category leaf{.id = 101, .name = "Leaf"};
    leaf.parent = std::int64_t{100};  // created by the same bulk_create, before it
    db.bulk_create(std::vector<Category>{Category{.id = 100, .name = "Root"}, leaf, Category{.id = 102, .name = "Top"}});
    CHECK(db.get<Category>(101).parent->name == "Root");
    CHECK_FALSE(db.get<Category>(102).parent.has_value());  // NULL refers to nothing: not checked
    const std::string before = snapshot();
    Category orphan{.id = 103, .name = "Orphan"};
    orphan.parent = std::int64_t{104};
    CHECK_THROWS_WITH_AS(db.bulk_create(std::vector<Category>{orphan}),
                         doctest::Contains("there is no categories.id = 104 (object 0 of Category's bulk_create)"),
                         covet::IntegrityError);
    CHECK(snapshot() == before);
}

TEST_CASE_FIXTURE(Library, "bulk_create leaves the application's triggers alone: they fire, row by row") {
    db.execute("CREATE TABLE book_log(title TEXT)");
    db.execute("CREATE TRIGGER log_books AFTER INSERT ON books BEGIN INSERT INTO book_log VALUES (NEW.title); END");
    const std::vector<std::string> statements = statements_of(
        db, [&] { db.bulk_create(std::vector<Book>{Book{.title = "One", .author = ann}, Book{.title = "Two", .author = bob}}); });
    CHECK(db.query_value("SELECT group_concat(title, ',') FROM book_log") == covet::Value{"One,Two"});
    CHECK(count_containing(statements, "json_each") == 0);  // covet's own trigger checked each row
    CHECK_THROWS_WITH_AS(db.bulk_create(std::vector<Book>{Book{.title = "Bad", .author = std::int64_t{999}}}),
                         doctest::Contains("books.author_id must reference an existing authors.id"),
                         covet::IntegrityError);
    CHECK(db.query_value("SELECT count(*) FROM book_log") == covet::Value{std::int64_t{2}});
    // A TEMP trigger on the table counts as well.
    db.execute("DROP TRIGGER log_books");
    db.execute("CREATE TEMP TRIGGER log_books_temp AFTER INSERT ON main.books BEGIN SELECT 1; END");
    CHECK(count_containing(statements_of(db, [&] { db.bulk_create(std::vector<Book>{Book{.title = "Three", .author = ann}}); }),
                           "json_each") == 0);
}

TEST_CASE_FIXTURE(Library, "bulk_create with triggers turned off by the application keeps them off") {
    sqlite3_db_config(db.handle(), SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, nullptr);
    db.bulk_create(std::vector<Book>{Book{.title = "Unchecked", .author = ann}});
    CHECK_FALSE(triggers_enabled(db));
    sqlite3_db_config(db.handle(), SQLITE_DBCONFIG_ENABLE_TRIGGER, 1, nullptr);
}

namespace replacing {
struct Note {
    std::int64_t id = 0;
    covet::ForeignKey<library::Author, {.on_delete = covet::Cascade, .related_name = "+"}> author{};
    std::string text{};
};
}  // namespace replacing
BOOST_HANA_ADAPT_STRUCT(replacing::Note, id, author, text);

TEST_CASE_FIXTURE(Library, "bulk_create into a table with a REPLACE conflict clause keeps every trigger on") {
    // A REPLACE deletes rows, and covet's delete trigger must see those deletes: no pause there.
    db.execute("CREATE TABLE notes(id INTEGER PRIMARY KEY, author_id INTEGER NOT NULL, text TEXT NOT NULL, "
               "UNIQUE(text) ON CONFLICT REPLACE)");
    db.migrate<replacing::Note>();
    const std::vector<std::string> statements = statements_of(db, [&] {
        db.bulk_create(std::vector<replacing::Note>{replacing::Note{.author = ann, .text = "x"},
                                                    replacing::Note{.author = bob, .text = "x"}});
    });
    CHECK(count_containing(statements, "json_each") == 0);
    CHECK(db.query_value("SELECT author_id FROM notes") == covet::Value{bob.id});
    CHECK_THROWS_WITH_AS(
        db.bulk_create(std::vector<replacing::Note>{replacing::Note{.author = std::int64_t{999}, .text = "y"}}),
        doctest::Contains("notes.author_id must reference an existing authors.id (relation notes.author)"),
        covet::IntegrityError);
}
