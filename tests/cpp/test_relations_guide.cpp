// The examples of docs/relations.md, the relations guide, compiled and checked: every code block
// of the guide is one TEST_CASE here (same code; where the guide prints or says "// -> ...", a
// CHECK says it, with the exact query counts, SQL and error messages the guide quotes). When the
// API changes, this suite fails and the guide is updated with it.
//
// The library models are examples/library_models.hpp's (the guide's are an abridged copy); the
// models the guide declares for one section only (to_field, through model, self relation) are
// declared once, at the top: each reflected struct costs compile time.
#include "../../examples/library_models.hpp"

#include <covet/covet.hpp>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

using namespace library;

// ---- The guide's own models ----------------------------------------------------------------------

namespace guide {

// A relation to a unique text field, in a column of its own name (Declaring relations, Options).
struct Country {
    std::int64_t id = 0;
    std::string code{};
    std::string name{};
};
struct City {
    std::int64_t id = 0;
    std::string name{};
    covet::ForeignKey<Country, {.on_delete = covet::Cascade, .related_name = "cities", .to_field = "code",
                                .db_column = "country_code"}, std::string> country{};
};

// A ManyToMany through a model of its own (ManyToMany, Through models).
struct Person;
struct Membership;
struct Group {
    std::int64_t id = 0;
    std::string name{};
    covet::ManyToMany<Person, {.related_name = "groups"}, Membership> members{};
};
struct Person {
    std::int64_t id = 0;
    std::string name{};
    covet::ReverseMany<Group> groups{};
};
struct Membership {
    std::int64_t id = 0;
    covet::ForeignKey<Person, {.on_delete = covet::Cascade}> person{};
    covet::ForeignKey<Group, {.on_delete = covet::Cascade}> group{};
    std::string role{};
};

// A symmetrical self ManyToMany (ManyToMany, Self relations).
struct Friend {
    std::int64_t id = 0;
    std::string name{};
    covet::ManyToMany<Friend> friends{};  // junction friends_friends(from_friend_id, to_friend_id)
};

}  // namespace guide

BOOST_HANA_ADAPT_STRUCT(guide::Country, id, code, name);
BOOST_HANA_ADAPT_STRUCT(guide::City, id, name, country);
BOOST_HANA_ADAPT_STRUCT(guide::Group, id, name, members);
BOOST_HANA_ADAPT_STRUCT(guide::Person, id, name, groups);
BOOST_HANA_ADAPT_STRUCT(guide::Membership, id, person, group, role);
BOOST_HANA_ADAPT_STRUCT(guide::Friend, id, name, friends);

template <>
struct covet::meta<guide::Country> {
    static constexpr auto table = "countries";
    static constexpr auto unique = std::array{"code"};
};
template <>
struct covet::meta<guide::City> {
    static constexpr auto table = "cities";
};

namespace {

using Strings = std::vector<std::string>;

// The data the guide's examples use from "Forward access" on: the guide's code block, as is.
struct Data {
    covet::Database db{":memory:"};
    Author ann, bob, cid;
    Category fiction, sf, history;
    Book dune, emma, spqr;

    Data() {
        db.migrate<Author, Profile, Category, Book, Loan>();
        ann = db.create(Author{.name = "Ann", .email = "ann@example.com"});
        bob = db.create(Author{.name = "Bob", .email = "bob@mail.net"});
        cid = db.create(Author{.name = "Cid", .email = "cid@example.com"});
        db.create(Profile{.author = ann, .bio = "Ann's bio", .website = "https://ann.example.com"});
        db.create(Profile{.author = cid, .bio = "Cid's bio", .website = "https://cid.example.com"});
        fiction = db.create(Category{.name = "Fiction"});
        sf = db.create(Category{.name = "SF", .parent = fiction});
        history = db.create(Category{.name = "History"});
        dune = db.create(Book{.title = "Dune", .author = ann, .published_date = "1965-08-01", .pages = 412});
        emma = db.create(Book{.title = "Emma", .author = ann, .published_date = "1815-12-23", .pages = 300});
        spqr = db.create(Book{.title = "SPQR", .author = bob, .published_date = "2015-10-20", .pages = 608});
        dune.categories.add(fiction, sf);
        emma.categories.add(fiction);
        spqr.categories.add(history);
    }

    // The number of statements body() runs.
    std::int64_t queries(const std::function<void()>& body) {
        const std::int64_t before = db.query_count();
        body();
        return db.query_count() - before;
    }

    // The SQL of the statements body() runs, in order.
    Strings statements(const std::function<void()>& body) {
        Strings out;
        auto previous = db.on_query([&](std::string_view sql, auto) { out.emplace_back(sql); });
        body();
        db.on_query(std::move(previous));
        return out;
    }

    covet::Value value(std::string_view sql, std::initializer_list<covet::Value> params = {}) {
        return db.query_value(sql, params);
    }
};

// The title / name of every object of a range, in order.
template <class Range>
Strings titles(const Range& books) {
    Strings out;
    for (const auto& b : books) out.push_back(b.title);
    return out;
}
template <class Range>
Strings names(const Range& objects) {
    Strings out;
    for (const auto& o : objects) out.push_back(o.name);
    return out;
}

// The message of the covet::Error body() throws ("" if none).
template <class F>
std::string message_of(F&& body) {
    try {
        body();
    } catch (const covet::Error& e) {
        return e.what();
    }
    return "";
}

bool starts_with(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }
bool ends_with(std::string_view text, std::string_view suffix) {
    return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}
bool contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

covet::Value text(std::string s) { return covet::Value{std::move(s)}; }
covet::Value integer(std::int64_t i) { return covet::Value{i}; }

}  // namespace

// ---- Declaring relations ---------------------------------------------------------------------------

TEST_CASE("relations guide: declaring relations") {
    covet::Database db{":memory:"};
    db.migrate<Author, Profile, Category, Book, Loan>();
    CHECK(db.check<Author, Profile, Category, Book, Loan>().empty());

    // A ForeignKey or OneToOne is a column (<field>_id); ManyToMany, ReverseMany, ReverseOne and
    // Prefetched are not columns.
    Strings book_columns, author_columns;
    for (const covet::Column& c : covet::model_info<Book>().columns) book_columns.push_back(c.name);
    for (const covet::Column& c : covet::model_info<Author>().columns) author_columns.push_back(c.name);
    CHECK(book_columns == Strings{"id", "title", "author_id", "published_date", "pages"});
    CHECK(author_columns == Strings{"id", "name", "email"});

    // Relation members have {} too: designated initializers may leave them out.
    const Author ann = db.create(Author{.name = "Ann", .email = "ann@example.com"});
    const Book x = db.create(Book{.title = "x", .author = ann});
    CHECK(x.author.id() == ann.id);

    // The target may be the struct itself (Category::parent).
    const Category fiction = db.create(Category{.name = "Fiction"});
    CHECK(db.create(Category{.name = "SF", .parent = fiction}).parent->name == "Fiction");

    // migrate must name every model a relation refers to.
    covet::Database alone{":memory:"};
    const std::string error = message_of([&] { alone.migrate<Book>(); });
    CHECK_THROWS_AS(alone.migrate<Book>(), covet::SchemaError);
    CHECK(starts_with(error, "covet: migrate could not register a relation; nothing was changed (every model a "
                             "relation refers to must be migrated too): "));
    CHECK(contains(error, "to_table \"authors\" is not an ordinary table"));
    CHECK(alone.query_value("SELECT count(*) FROM sqlite_master WHERE name = 'books'") == integer(0));
}

TEST_CASE("relations guide: to_field and db_column, a relation to a unique text field") {
    using namespace guide;
    covet::Database db{":memory:"};

    db.migrate<Country, City>();
    const Country fr = db.create(Country{.code = "FR", .name = "France"});
    City paris = db.create(City{.name = "Paris", .country = fr});
    CHECK(db.query_value("SELECT country_code FROM cities") == text("FR"));
    CHECK(paris.country.id() == std::string("FR"));  // a std::string
    CHECK(db.objects<City>().filter("country__name", "France").count() == 1);

    CHECK(paris.country->name == "France");
    CHECK(db.related<City>(fr, "cities").count() == 1);
}

// ---- What migrate creates ----------------------------------------------------------------------

TEST_CASE("relations guide: what migrate creates") {
    covet::Database db{":memory:"};
    const std::string relation_columns =
        "INSERT INTO covet_relations(name, kind, from_table, from_column, to_table, to_column, on_delete, "
        "related_name, through_table, through_from_column, through_to_column, default_value) VALUES ";
    const std::string expected =
        "CREATE TABLE \"authors\" (\"id\" INTEGER PRIMARY KEY, \"name\" TEXT NOT NULL CHECK (length(\"name\") <= 100), "
        "\"email\" TEXT NOT NULL UNIQUE);\n"
        "CREATE TABLE \"profiles\" (\"id\" INTEGER PRIMARY KEY, \"author_id\" INTEGER NOT NULL UNIQUE, \"bio\" TEXT NOT "
        "NULL, \"website\" TEXT NOT NULL);\n"
        "CREATE TABLE \"categories\" (\"id\" INTEGER PRIMARY KEY, \"name\" TEXT NOT NULL CHECK (length(\"name\") <= 50), "
        "\"parent_id\" INTEGER);\n"
        "CREATE TABLE \"books\" (\"id\" INTEGER PRIMARY KEY, \"title\" TEXT NOT NULL CHECK (length(\"title\") <= 200), "
        "\"author_id\" INTEGER NOT NULL, \"published_date\" TEXT NOT NULL, \"pages\" INTEGER NOT NULL);\n"
        "CREATE TABLE \"loans\" (\"id\" INTEGER PRIMARY KEY, \"book_id\" INTEGER NOT NULL, \"borrower\" TEXT NOT NULL);\n"
        "CREATE TABLE \"books_categories\" (\"id\" INTEGER PRIMARY KEY, \"book_id\" INTEGER NOT NULL, \"category_id\" "
        "INTEGER NOT NULL, UNIQUE (\"book_id\", \"category_id\"));\n"
        "CREATE INDEX \"books_categories_category_id_idx\" ON \"books_categories\" (\"category_id\");\n" +
        relation_columns +
        "('profiles.author', 'one_to_one', 'profiles', 'author_id', 'authors', 'id', 'CASCADE', 'profile', NULL, "
        "NULL, NULL, NULL);\n" +
        relation_columns +
        "('categories.parent', 'foreign_key', 'categories', 'parent_id', 'categories', 'id', 'SET_NULL', "
        "'children', NULL, NULL, NULL, NULL);\n" +
        relation_columns +
        "('books.author', 'foreign_key', 'books', 'author_id', 'authors', 'id', 'CASCADE', 'books', NULL, NULL, "
        "NULL, NULL);\n" +
        relation_columns +
        "('books.categories', 'many_to_many', 'books', NULL, 'categories', 'id', NULL, 'books', "
        "'books_categories', 'book_id', 'category_id', NULL);\n" +
        relation_columns +
        "('loans.book', 'foreign_key', 'loans', 'book_id', 'books', 'id', 'PROTECT', 'loans', NULL, NULL, NULL, "
        "NULL);\n";
    CHECK(db.schema_sql<Author, Profile, Category, Book, Loan>() == expected);

    db.migrate<Author, Profile, Category, Book, Loan>();
    // The extension's triggers and indexes, plain SQL stored in the database file.
    for (const char* name : {"covet_delete:authors", "covet_insert:books", "covet_index:books(author_id)"}) {
        CAPTURE(name);
        CHECK(db.query_value("SELECT count(*) FROM sqlite_master WHERE name = ?", {text(name)}) == integer(1));
    }
    // A key that refers to no row is refused for every client (here: plain SQL).
    CHECK_THROWS_AS(db.execute("INSERT INTO books(title, author_id, published_date, pages) VALUES ('x', 99, '', 1)"),
                    covet::IntegrityError);
    // Idempotent; check lists nothing.
    const covet::Value before = db.query_value("SELECT group_concat(name) FROM sqlite_master");
    db.migrate<Author, Profile, Category, Book, Loan>();
    CHECK(db.query_value("SELECT group_concat(name) FROM sqlite_master") == before);
    CHECK(db.check<Author, Profile, Category, Book, Loan>() == Strings{});
}

// ---- Forward access ----------------------------------------------------------------------------

TEST_CASE_FIXTURE(Data, "relations guide: the data") {
    CHECK(ann.id == 1);
    CHECK(bob.id == 2);
    CHECK(cid.id == 3);
    CHECK(db.objects<Profile>().count() == 2);
    CHECK(titles(db.objects<Book>()) == Strings{"SPQR", "Dune", "Emma"});  // Book's ordering: -published_date
    CHECK(names(dune.categories.all()) == Strings{"Fiction", "SF"});
    CHECK(names(emma.categories.all()) == Strings{"Fiction"});
    CHECK(names(spqr.categories.all()) == Strings{"History"});
    CHECK(db.get<Category>(sf.id).parent.id() == std::optional<std::int64_t>(fiction.id));
}

TEST_CASE_FIXTURE(Data, "relations guide: forward access") {
    Book b = db.get<Book>(dune.id);
    CHECK(queries([&] { CHECK(b.author.id() == 1); }) == 0);  // the key, never a query
    CHECK_FALSE(b.author.is_cached());
    CHECK(statements([&] { CHECK(b.author->name == "Ann"); }) ==  // one query, then cached
          Strings{"SELECT \"id\", \"name\", \"email\" FROM \"authors\" WHERE \"id\" = ?1 LIMIT 1"});
    CHECK(b.author.is_cached());
    CHECK(queries([&] { CHECK(b.author->email == "ann@example.com"); }) == 0);
    b.author = bob;  // sets the key and the cache
    CHECK(queries([&] { CHECK(b.author->name == "Bob"); }) == 0);
    CHECK(b.author.id() == bob.id);
    b.author = 3;  // sets the key; the cache is dropped
    CHECK_FALSE(b.author.is_cached());
    CHECK(b.author.id() == 3);
    db.save(b);  // writes author_id = 3
    CHECK(value("SELECT author_id FROM books WHERE id = ?", {integer(dune.id)}) == integer(3));
    CHECK(queries([&] { CHECK(b.author->name == "Cid"); }) == 1);
    b.author.reset();  // forgets the cached object, keeps the key
    CHECK_FALSE(b.author.is_cached());
    CHECK(b.author.id() == 3);
}

TEST_CASE_FIXTURE(Data, "relations guide: forward access, what the list says") {
    // Either an object or a key.
    CHECK(Book{.author = ann}.author.id() == ann.id);
    CHECK(Book{.author = ann}.author.is_cached());
    CHECK(Book{.author = ann.id}.author.id() == ann.id);

    // An unsaved object assigned, then saved.
    Book unsaved{.title = "x", .author = Author{.name = "New", .email = "new@example.com"}, .published_date = "2000-01-01"};
    CHECK_THROWS_WITH_AS(db.save(unsaved), "covet: save() prohibited: Book.author is an unsaved Author (save it first)",
                         covet::ValidationError);

    // A nullable relation: std::optional key.
    Category top = db.get<Category>(fiction.id);
    CHECK_FALSE(top.parent.has_value());
    CHECK_FALSE(static_cast<bool>(top.parent));
    CHECK_THROWS_WITH_AS((void)top.parent->name,
                         "covet: Category.parent is NULL: there is no Category to read (check has_value() first)",
                         covet::Error);
    Category child = db.get<Category>(sf.id);
    CHECK(static_cast<bool>(child.parent));
    child.parent = std::nullopt;
    CHECK_FALSE(child.parent.has_value());

    // A key no row has.
    Book dangling = db.get<Book>(dune.id);
    dangling.author = 99;
    CHECK_THROWS_WITH_AS((void)dangling.author->name,
                         "covet: Book.author: there is no Author with id = 99 (deleted, or never there)",
                         covet::RelatedObjectDoesNotExist);
    CHECK_THROWS_AS((void)dangling.author->name, covet::DoesNotExist);

    // The Database the object was read from has been closed.
    std::optional<Book> orphan;
    {
        auto other = std::make_unique<covet::Database>(":memory:");
        other->migrate<Author, Profile, Category, Book, Loan>();
        const Author a = other->create(Author{.name = "Ann", .email = "ann@example.com"});
        other->create(Book{.title = "Dune", .author = a, .published_date = "1965-08-01", .pages = 412});
        orphan = other->objects<Book>().first();
    }
    REQUIRE(orphan.has_value());
    CHECK_THROWS_WITH_AS((void)orphan->author->name,
                         "covet: Book.author: the Database its object was read from has been closed", covet::Error);

    // Built by hand: no Database, get(db).
    Book by_hand{.title = "x", .author = 1};
    CHECK(by_hand.author.get(db).name == "Ann");

    // Copying copies the cached object.
    Book b = db.get<Book>(dune.id);
    (void)b.author->name;
    const Book copy = b;
    CHECK(copy.author.is_cached());
    CHECK(queries([&] { CHECK(copy.author->name == "Ann"); }) == 0);
}

TEST_CASE_FIXTURE(Data, "relations guide: a nullable relation, an object built by hand") {
    Category c = db.get<Category>(sf.id);
    CHECK(c.parent.has_value());
    CHECK(c.parent->name == "Fiction");
    c.parent = std::nullopt;
    db.save(c);  // parent_id = NULL
    CHECK(value("SELECT parent_id FROM categories WHERE id = ?", {integer(sf.id)}) == covet::Value{});

    Book by_hand{.title = "x", .author = ann.id};
    CHECK(by_hand.author.get(db).name == "Ann");
}

// ---- Reverse sides -----------------------------------------------------------------------------

TEST_CASE_FIXTURE(Data, "relations guide: declared reverse sides") {
    Author a = db.get<Author>(ann.id);
    CHECK(statements([&] { CHECK(a.books.count() == 2); }) ==
          Strings{"SELECT count(*) FROM \"books\" WHERE \"books\".\"author_id\" = ?1"});
    CHECK(titles(a.books.all()) == Strings{"Dune", "Emma"});  // Book's ordering: -published_date
    CHECK(titles(a.books.filter("pages__gte", 400).to_vector()) == Strings{"Dune"});  // a QuerySet<Book>
    CHECK(queries([&] { CHECK(a.profile->bio == "Ann's bio"); }) == 1);  // one query, then cached
    CHECK(a.profile.is_cached());
    CHECK(queries([&] { CHECK(a.profile->bio == "Ann's bio"); }) == 0);
    Author b = db.get<Author>(bob.id);
    CHECK(b.profile.optional() == std::nullopt);
    CHECK(queries([&] { CHECK_FALSE(b.profile.has_value()); }) == 0);  // known absent: no further query
    CHECK_THROWS_WITH_AS((void)b.profile->bio, "covet: Author.profile: Author 2 has no Profile",
                         covet::RelatedObjectDoesNotExist);

    // A ReverseMany queries on every all() / count().
    CHECK(queries([&] { CHECK(a.books.count() == 2); }) == 1);
    CHECK(queries([&] { CHECK(a.books.all().size() == 2); }) == 1);
}

TEST_CASE_FIXTURE(Data, "relations guide: reverse sides without a member") {
    covet::RelatedManager<Loan> loans = covet::reverse<&Loan::book>(db, dune);  // Book declares no `loans`
    CHECK(loans.count() == 0);
    covet::RelatedManager<Book> books = db.related<Book>(ann, "books");  // by related_name
    CHECK(titles(books.all()) == Strings{"Dune", "Emma"});
    Profile p = covet::reverse<&Profile::author>(db, ann);  // a OneToOne: the object
    CHECK(p.bio == "Ann's bio");
    CHECK_THROWS_AS(covet::reverse<&Profile::author>(db, bob), covet::RelatedObjectDoesNotExist);
    CHECK(covet::reverse_optional<&Profile::author>(db, bob) == std::nullopt);

    // db.related by a relation's name, forward or reverse; an unknown name.
    CHECK(names(db.related<Category>(dune, "categories").all()) == Strings{"Fiction", "SF"});
    CHECK_THROWS_WITH_AS(db.related<Book>(ann, "bookz"), "covet: Author has no relation 'bookz' (relations: profile, books)",
                         covet::UsageError);

    // When the owner declares the member, both serve its prefetch cache.
    const std::vector<Author> authors = db.objects<Author>().prefetch_related("books").to_vector();
    CHECK(db.related<Book>(authors[0], "books").cached());
    CHECK(covet::reverse<&Book::author>(db, authors[0]).cached());
    CHECK(queries([&] { CHECK(db.related<Book>(authors[0], "books").count() == 2); }) == 0);

    // Filters cross the relation backwards without a member; "+" turns the reverse side off.
    db.create(Loan{.book = dune, .borrower = "Dana"});
    CHECK(titles(db.objects<Book>().filter("loans__borrower", "Dana")) == Strings{"Dune"});
    CHECK(loans.count() == 1);
}

// ---- Related managers --------------------------------------------------------------------------

TEST_CASE_FIXTURE(Data, "relations guide: related managers") {
    Author a = db.get<Author>(ann.id);
    const Book p = a.books.create(Book{.title = "Persuasion", .published_date = "1817-12-20", .pages = 250});
    CHECK(p.author.id() == ann.id);
    CHECK(p.id != 0);
    Author b = db.get<Author>(bob.id);
    CHECK(statements([&] { b.books.add(emma); }) ==  // Emma is Bob's now: one statement
          Strings{"UPDATE \"books\" SET \"author_id\" = ?1 WHERE \"id\" IN (SELECT value FROM json_each(?2))"});
    CHECK(db.get<Book>(emma.id).author.id() == bob.id);
    CHECK_THROWS_WITH_AS(a.books.remove(dune),
                         "covet: Author.books: remove() sets Book.author to NULL, which it cannot hold: delete the "
                         "objects, or assign them to another Author (Django has no remove() here either)",
                         covet::UsageError);
    Category f = db.get<Category>(fiction.id);
    f.children.add(history);  // history.parent = Fiction (Category.parent is nullable)
    CHECK(value("SELECT parent_id FROM categories WHERE id = ?", {integer(history.id)}) == integer(fiction.id));
    CHECK(f.children.count() == 2);  // SF, History
    CHECK(names(f.children.all()) == Strings{"SF", "History"});
    f.children.remove(history);  // history.parent = NULL
    CHECK(value("SELECT parent_id FROM categories WHERE id = ?", {integer(history.id)}) == covet::Value{});
    CHECK(f.children.count() == 1);
    f.children.clear();  // SF's too
    CHECK(value("SELECT parent_id FROM categories WHERE id = ?", {integer(sf.id)}) == covet::Value{});
    CHECK(f.children.count() == 0);
}

TEST_CASE_FIXTURE(Data, "relations guide: the related manager's methods") {
    // With or without the Database as first argument.
    CHECK(ann.books.count() == 2);
    CHECK(ann.books.count(db) == 2);
    CHECK(ann.books.exists());
    CHECK_FALSE(cid.books.exists());
    CHECK(titles(ann.books.query().order_by("title")) == Strings{"Dune", "Emma"});
    CHECK(titles(ann.books.exclude("title", "Dune")) == Strings{"Emma"});
    CHECK(titles(ann.books.order_by("pages")) == Strings{"Emma", "Dune"});

    // Arguments may be objects, keys, or ranges of either, mixed.
    Book post = db.create(Book{.title = "Post", .author = ann, .published_date = "2024-01-01", .pages = 1});
    post.categories.add(fiction, history.id, std::vector<std::int64_t>{sf.id});
    CHECK(post.categories.count() == 3);

    // set() makes exactly these related, in one transaction.
    post.categories.set(std::vector<std::int64_t>{history.id});
    CHECK(names(post.categories.all()) == Strings{"History"});

    // Writes drop the owner's prefetch cache of that relation.
    std::vector<Book> books = db.objects<Book>().filter("title", "Post").prefetch_related("categories").to_vector();
    REQUIRE(books.size() == 1);
    CHECK(books[0].categories.is_cached());
    books[0].categories.add(fiction);
    CHECK_FALSE(books[0].categories.is_cached());
    CHECK(books[0].categories.count() == 2);

    // A member of an object that has not been saved yet.
    const Author unsaved{.name = "New", .email = "new@example.com"};
    CHECK_THROWS_AS((void)unsaved.books.count(), covet::UsageError);
}

// ---- ManyToMany --------------------------------------------------------------------------------

TEST_CASE_FIXTURE(Data, "relations guide: ManyToMany") {
    Book post = db.create(Book{.title = "Post", .author = ann, .published_date = "2024-01-01", .pages = 1});
    CHECK(queries([&] { post.categories.add(fiction, history.id); }) == 1);  // objects or keys; one INSERT
    CHECK(post.categories.count() == 2);
    post.categories.remove(fiction);
    CHECK(names(post.categories.all()) == Strings{"History"});
    post.categories.set(std::vector{fiction, sf});  // removes History, adds the two
    CHECK(names(post.categories.all()) == Strings{"Fiction", "SF"});
    CHECK(post.categories.filter("name__startswith", "F").count() == 1);
    post.categories.create(Category{.name = "Essays"});  // created and added
    CHECK(names(post.categories.all()) == Strings{"Fiction", "SF", "Essays"});
    post.categories.clear();
    CHECK(post.categories.all().empty());
    Category h = db.get<Category>(history.id);
    h.books.add(dune);  // from the other side: dune is in History now
    CHECK(names(dune.categories.all()) == Strings{"Fiction", "SF", "History"});
}

TEST_CASE_FIXTURE(Data, "relations guide: ManyToMany, what the list says") {
    // add() is idempotent; a key no row has is refused, with nothing added.
    Book post = db.create(Book{.title = "Post", .author = ann, .published_date = "2024-01-01", .pages = 1});
    post.categories.add(fiction);
    post.categories.add(fiction, sf);
    CHECK(post.categories.count() == 2);
    CHECK_THROWS_AS(post.categories.add(history, 99), covet::IntegrityError);
    CHECK(post.categories.count() == 2);
    // Deleting a book deletes its pairs (counted).
    const covet::DeleteResult r = db.remove(post);
    CHECK(r.per_table == std::map<std::string, std::int64_t>{{"books", 1}, {"books_categories", 2}});
}

TEST_CASE_FIXTURE(Data, "relations guide: many objects at once") {
    std::vector<Book> created = db.bulk_create(std::vector<Book>{
        Book{.title = "One", .author = ann, .published_date = "2024-01-01", .pages = 10},
        Book{.title = "Two", .author = bob, .published_date = "2024-02-01", .pages = 20}});
    std::vector<std::pair<covet::Value, covet::Value>> pairs;  // (book key, category key)
    for (const Book& b : created) pairs.emplace_back(b.id, fiction.id);
    pairs.emplace_back(created[1].id, history.id);
    covet::bulk_add<&Book::categories>(db, pairs);  // 3 pairs, any number of books; one transaction
    CHECK(names(created[0].categories.all()) == Strings{"Fiction"});
    CHECK(names(created[1].categories.all()) == Strings{"Fiction", "History"});
    // What the list says: a pair given twice or already there is ignored; a missing key names itself.
    const covet::Value pairs_before = db.query_value("SELECT count(*) FROM books_categories");
    pairs.emplace_back(created[0].id, fiction.id);
    covet::bulk_add<&Book::categories>(db, pairs);
    CHECK(db.query_value("SELECT count(*) FROM books_categories") == pairs_before);
    CHECK_THROWS_WITH_AS(db.bulk_create(std::vector<Book>{
                             Book{.title = "Fine", .author = ann}, Book{.title = "Bad", .author = std::int64_t{999}}}),
                         "covet: books.author_id must reference an existing authors.id (relation books.author): "
                         "there is no authors.id = 999 (object 1 of Book's bulk_create)",
                         covet::IntegrityError);
    CHECK(db.objects<Book>().filter("title", "Fine").count() == 0);
}

TEST_CASE("relations guide: through models") {
    using namespace guide;
    covet::Database db{":memory:"};

    db.migrate<Person, Group, Membership>();  // tables persons, groups, memberships
    const Person ringo = db.create(Person{.name = "Ringo"});
    const Person paul = db.create(Person{.name = "Paul"});
    const Group beatles = db.create(Group{.name = "The Beatles"});
    beatles.members.add(ringo, paul, covet::through_defaults(Membership{.role = "musician"}));
    CHECK(beatles.members.count() == 2);
    CHECK(db.objects<Membership>().get("person", ringo.id).role == "musician");
    CHECK(paul.groups.count() == 1);
    CHECK(db.objects<Person>().filter("groups__name", "The Beatles").count() == 2);

    CHECK(db.query_value("SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_master WHERE type = 'table' "
                         "AND substr(name, 1, 1) <> '_' ORDER BY name)") ==
          text("groups,memberships,persons"));

    // Without through_defaults, a NOT NULL column without a default.
    const Person john = db.create(Person{.name = "John"});
    const std::string error = message_of([&] { beatles.members.add(john); });
    CHECK_THROWS_AS(beatles.members.add(john), covet::IntegrityError);
    CHECK(contains(error, "NOT NULL constraint failed: memberships.role"));
    CHECK(beatles.members.count() == 2);

    // Listing the through model in migrate is optional: its table and its ForeignKeys are there all the same.
    covet::Database unlisted{":memory:"};
    unlisted.migrate<Person, Group>();
    CHECK(unlisted.query_value("SELECT group_concat(name, ', ') FROM (SELECT name FROM covet_relations ORDER BY name)") ==
          text("groups.members, memberships.group, memberships.person"));
    CHECK(unlisted.query_value("SELECT on_delete FROM covet_relations WHERE name = 'memberships.person'") == text("CASCADE"));
    CHECK(unlisted.check<Person, Group, Membership>() == Strings{});
}

TEST_CASE("relations guide: self relations") {
    using namespace guide;
    covet::Database db{":memory:"};

    db.migrate<Friend>();
    const Friend a = db.create(Friend{.name = "a"});
    const Friend b = db.create(Friend{.name = "b"});
    a.friends.add(b);
    CHECK(b.friends.all()[0].name == "a");

    // Symmetrical: two rows; removing removes both.
    CHECK(db.query_value("SELECT count(*) FROM friends_friends WHERE from_friend_id <> to_friend_id") == integer(2));
    CHECK(names(a.friends.all()) == Strings{"b"});
    b.friends.remove(a);
    CHECK(db.query_value("SELECT count(*) FROM friends_friends") == integer(0));
}

// ---- select_related ----------------------------------------------------------------------------

TEST_CASE_FIXTURE(Data, "relations guide: select_related") {
    std::string out;  // the guide prints to stdout
    covet::assert_num_queries(db, 1, [&] {
        for (const Book& b : db.objects<Book>().select_related("author"))
            out += fmt::format("{} by {}\n", b.title, b.author->name);  // no query per book
    });
    CHECK(out == "SPQR by Bob\nDune by Ann\nEmma by Ann\n");

    const auto chain = db.objects<Book>().select_related<&Book::author, &Author::profile>();  // "author__profile"
    CHECK(chain.sql().text == db.objects<Book>().select_related("author__profile").sql().text);
    Strings bios;
    covet::assert_num_queries(db, 1, [&] {
        for (const Book& b : chain) bios.push_back(b.author->profile.has_value() ? b.author->profile->bio : "-");
    });
    CHECK(bios == Strings{"-", "Ann's bio", "Ann's bio"});

    const auto several = db.objects<Book>().select_related("author__profile", "author");  // several paths
    covet::assert_num_queries(db, 1, [&] {
        for (const Book& b : several) (void)b.author->profile.optional();
    });

    Strings parents;
    covet::assert_num_queries(db, 1, [&] {
        for (const Category& c : db.objects<Category>().select_related("parent"))  // LEFT JOIN
            parents.push_back(c.parent ? c.parent->name : "(none)");
    });
    CHECK(parents == Strings{"(none)", "Fiction", "(none)"});  // Fiction's parent stays empty
}

TEST_CASE_FIXTURE(Data, "relations guide: the SQL of select_related") {
    CHECK(db.objects<Book>().select_related("author__profile").sql().text ==
          "SELECT \"books\".\"id\", \"books\".\"title\", \"books\".\"author_id\", \"books\".\"published_date\", "
          "\"books\".\"pages\", "
          "\"T1\".\"id\", \"T1\".\"name\", \"T1\".\"email\", \"T2\".\"id\", \"T2\".\"author_id\", \"T2\".\"bio\", "
          "\"T2\".\"website\" "
          "FROM \"books\" JOIN \"authors\" AS \"T1\" ON \"T1\".\"id\" = \"books\".\"author_id\" "
          "LEFT JOIN \"profiles\" AS \"T2\" ON \"T2\".\"author_id\" = \"T1\".\"id\" "
          "ORDER BY \"books\".\"published_date\" DESC, \"books\".\"id\" ASC");
    CHECK(message_of([&] { (void)db.objects<Author>().select_related("books").to_vector(); }) ==
          "covet: select_related('books'): Author.books relates several Book objects; use prefetch_related");
    CHECK_THROWS_AS((void)db.objects<Author>().select_related("books").to_vector(), covet::UsageError);
}

// ---- prefetch_related --------------------------------------------------------------------------

TEST_CASE_FIXTURE(Data, "relations guide: prefetch_related") {
    std::string out;  // the guide prints to stdout
    covet::assert_num_queries(db, 2, [&] {
        for (const Author& a : db.objects<Author>().prefetch_related("books"))
            out += fmt::format("{}: {} books\n", a.name, a.books.count());
    });
    CHECK(out == "Ann: 2 books\nBob: 1 books\nCid: 0 books\n");

    const auto typed = db.objects<Book>().prefetch_related<&Book::categories>();  // typed
    covet::assert_num_queries(db, 2, [&] {
        for (const Book& b : typed) CHECK(b.categories.is_cached());
    });
    const auto two_paths = db.objects<Book>().prefetch_related("categories", "author__profile");
    covet::assert_num_queries(db, 4, [&] {  // 1 + 1 + 2 queries
        for (const Book& b : two_paths) {
            (void)b.categories.count();
            (void)b.author->profile.optional();
        }
    });
    covet::assert_num_queries(db, 4, [&] {  // books, authors, their books, categories
        for (const Book& b : db.objects<Book>().prefetch_related("author__books__categories"))
            for (const Book& other : b.author->books.all()) (void)other.categories.count();
    });

    // filter() is a new query; all(), count(), exists() read the cache; is_cached() tells.
    const std::vector<Author> authors = db.objects<Author>().prefetch_related("books").to_vector();
    CHECK(authors[0].books.is_cached());
    CHECK(queries([&] {
              CHECK(authors[0].books.all().size() == 2);
              CHECK(authors[0].books.count() == 2);
              CHECK(authors[0].books.exists());
          }) == 0);
    CHECK(queries([&] { CHECK(authors[0].books.filter("pages__gte", 400).count() == 1); }) == 1);

    // Forward relations and ReverseOnes may be prefetched too.
    Strings seen;
    covet::assert_num_queries(db, 2, [&] {
        for (const Book& b : db.objects<Book>().prefetch_related("author")) seen.push_back(b.author->name);
    });
    CHECK(seen == Strings{"Bob", "Ann", "Ann"});
    Strings bios;
    covet::assert_num_queries(db, 2, [&] {
        for (const Author& a : db.objects<Author>().prefetch_related("profile"))
            bios.push_back(a.profile.has_value() ? a.profile->bio : "-");
    });
    CHECK(bios == Strings{"Ann's bio", "-", "Cid's bio"});
}

TEST_CASE_FIXTURE(Data, "relations guide: Prefetch and to_attr") {
    const auto authors = db.objects<Author>()
                             .order_by("name")
                             .prefetch_related(covet::Prefetch("books", db.objects<Book>().filter("pages__gte", 400), "long_books"))
                             .to_vector();
    CHECK(authors[0].long_books.size() == 1);  // Dune
    CHECK(authors[0].long_books[0].title == "Dune");
    CHECK(titles(authors[0].long_books) == Strings{"Dune"});  // a plain list: begin, end, [i]
    CHECK(authors[1].long_books.size() == 1);                 // SPQR
    CHECK(authors[2].long_books.empty());
    CHECK_FALSE(authors[0].books.is_cached());
    const auto ordered = db.objects<Author>()
                             .order_by("name")
                             .prefetch_related(covet::Prefetch("books", db.objects<Book>().order_by("title")))
                             .to_vector();
    CHECK(queries([&] { CHECK(titles(ordered[0].books.all()) == Strings{"Dune", "Emma"}); }) == 0);  // from the cache

    CHECK(message_of([&] { (void)db.objects<Book>().prefetch_related("loans").to_vector(); }) ==
          "covet: prefetch_related(\"loans\"): Book has no member to keep its 'loans' in: declare "
          "covet::ReverseMany<Loan> loans; in Book, or give covet::Prefetch a to_attr");
    CHECK_THROWS_AS((void)db.objects<Book>().prefetch_related("loans").to_vector(), covet::UsageError);
}

// ---- Filters, ordering and aggregates across relations ------------------------------------------

TEST_CASE_FIXTURE(Data, "relations guide: filters and ordering across relations") {
    using covet::f;
    CHECK(titles(db.objects<Book>().filter("author__email__icontains", "example.com").filter("pages__gte", 300)) ==
          Strings{"Dune", "Emma"});
    CHECK(titles(db.objects<Book>().filter(f<&Book::author, &Author::email>.icontains("mail.net"))) == Strings{"SPQR"});
    CHECK(titles(db.objects<Book>().filter("categories__name", "SF")) == Strings{"Dune"});
    CHECK(titles(db.objects<Book>().filter("categories", sf.id)) == Strings{"Dune"});  // a relation compares keys
    CHECK(titles(db.objects<Book>().filter("author", bob.id)) == Strings{"SPQR"});
    CHECK(names(db.objects<Author>().filter("books__pages__gte", 400)) == Strings{"Ann", "Bob"});  // DISTINCT added
    CHECK(names(db.objects<Author>().filter("profile__isnull", true)) == Strings{"Bob"});
    CHECK(titles(db.objects<Book>().exclude("categories__name", "SF")) == Strings{"SPQR", "Emma"});  // no SF category
    CHECK(titles(db.objects<Book>().order_by("author__name", "-pages")) == Strings{"Dune", "Emma", "SPQR"});
    CHECK(titles(db.objects<Book>().order_by(-f<&Book::author, &Author::name>))[0] == "SPQR");

    // "author__email" is f<&Book::author, &Author::email>.
    CHECK(db.objects<Book>().filter(f<&Book::author, &Author::email>.icontains("x")).sql().text ==
          db.objects<Book>().filter("author__email__icontains", "x").sql().text);
}

TEST_CASE_FIXTURE(Data, "relations guide: the SQL of filters across relations") {
    const covet::Sql seed = db.objects<Book>().filter("author__email__icontains", "example.com").filter("pages__gte", 300).sql();
    CHECK(seed.text ==
          "SELECT \"books\".\"id\", \"books\".\"title\", \"books\".\"author_id\", \"books\".\"published_date\", "
          "\"books\".\"pages\" "
          "FROM \"books\" JOIN \"authors\" AS \"T1\" ON \"T1\".\"id\" = \"books\".\"author_id\" "
          "WHERE \"T1\".\"email\" LIKE ?1 ESCAPE '\\' AND \"books\".\"pages\" >= ?2 "
          "ORDER BY \"books\".\"published_date\" DESC, \"books\".\"id\" ASC");
    CHECK(seed.params == std::vector<covet::Value>{text("%example.com%"), integer(300)});

    CHECK(db.objects<Author>().filter("books__pages__gte", 300).sql().text ==
          "SELECT DISTINCT \"authors\".\"id\", \"authors\".\"name\", \"authors\".\"email\" "
          "FROM \"authors\" JOIN \"books\" AS \"T1\" ON \"T1\".\"author_id\" = \"authors\".\"id\" "
          "WHERE \"T1\".\"pages\" >= ?1");
    CHECK(names(db.objects<Author>().filter("books__pages__gte", 300)) == Strings{"Ann", "Bob"});  // Ann once

    // One filter() with two conditions: one related row satisfies both; two calls: maybe two rows.
    CHECK(db.objects<Author>().filter(covet::Q("books__pages__gte", 400) && covet::Q("books__title", "Emma")).count() == 0);
    CHECK(names(db.objects<Author>().filter("books__pages__gte", 400).filter("books__title", "Emma")) == Strings{"Ann"});
    // exclude() of a multi-valued path excludes every object that has such a related row.
    CHECK(names(db.objects<Author>().exclude("books__pages__lt", 400)) == Strings{"Bob", "Cid"});
    // Ordering by a multi-valued path is refused.
    const std::string error = message_of([&] { (void)db.objects<Author>().order_by("books__pages").to_vector(); });
    CHECK(ends_with(error, "cannot order Author by 'books__pages': it crosses a relation to several objects (annotate an "
                           "aggregate of it and order by that)"));
}

TEST_CASE_FIXTURE(Data, "relations guide: aggregates across relations") {
    using covet::f;
    // Books per author (a LEFT JOIN, so Cid counts 0).
    using Count = std::tuple<std::string, std::int64_t>;
    CHECK(db.objects<Author>().values<&Author::name>().annotate(covet::count<&Book::author>()).order_by("name").to_vector() ==
          std::vector<Count>{{"Ann", 2}, {"Bob", 1}, {"Cid", 0}});
    using Row = std::tuple<std::string, covet::Value>;
    CHECK(db.objects<Author>().values<&Author::name>().annotate(covet::Count("books")).order_by("name").to_vector() ==
          std::vector<Row>{{"Ann", integer(2)}, {"Bob", integer(1)}, {"Cid", integer(0)}});  // the same, by name
    // Pages per category.
    CHECK(db.objects<Category>().values<&Category::name>().annotate(covet::Sum("books__pages")).order_by("name").to_vector() ==
          std::vector<Row>{{"Fiction", integer(712)}, {"History", integer(608)}, {"SF", integer(412)}});
    CHECK(db.objects<Book>().filter("categories__name", "Fiction").aggregate(covet::Count()) ==
          std::map<std::string, covet::Value>{{"count", integer(2)}});

    // update() and remove() take such filters too.
    CHECK(db.objects<Book>().filter("author__name", "Ann").update(f<&Book::pages> = 1) == 2);
    CHECK(db.get<Book>(dune.id).pages == 1);
    CHECK(db.get<Book>(spqr.id).pages == 608);
}

// ---- Deletes -----------------------------------------------------------------------------------

TEST_CASE_FIXTURE(Data, "relations guide: deletes and their counts") {
    const covet::DeleteResult r = db.remove(ann);
    CHECK(r.total == 7);
    CHECK(r.per_table == std::map<std::string, std::int64_t>{{"authors", 1}, {"books", 2}, {"books_categories", 3}, {"profiles", 1}});
    CHECK(db.objects<Book>().filter("categories__name", "History").remove().total == 2);  // SPQR and its pair
    CHECK(db.objects<Book>().count() == 0);
}

TEST_CASE_FIXTURE(Data, "relations guide: on_delete is enforced by the database") {
    // A plain DELETE (the sqlite3 shell's) behaves the same.
    db.execute("DELETE FROM authors WHERE name = 'Ann'");
    CHECK(titles(db.objects<Book>()) == Strings{"SPQR"});
    CHECK(db.objects<Profile>().count() == 1);
    // SET_NULL.
    db.execute("DELETE FROM categories WHERE name = 'Fiction'");
    CHECK(db.get<Category>(sf.id).parent.id() == std::nullopt);
}

TEST_CASE_FIXTURE(Data, "relations guide: a refused delete") {
    db.create(Loan{.book = dune, .borrower = "Dana"});
    try {
        db.remove(ann);  // would cascade to Dune, which is on loan
        FAIL("no ProtectedError");
    } catch (const covet::ProtectedError& e) {
        CHECK(e.blocking_objects() == Strings{"Loan(1)"});
        CHECK(std::string(e.what()) ==
              "covet: PROTECT: cannot delete from authors: a row it would remove from books is referenced by loans "
              "through relation loans.book (loans.book_id -> books.id) [loans rows: 1]; blocked by Loan(1)");
    }
    CHECK(db.objects<Author>().count() == 3);  // nothing was deleted
    CHECK(db.objects<Book>().count() == 3);
    CHECK_THROWS_AS(db.remove(ann), covet::IntegrityError);
}

TEST_CASE_FIXTURE(Data, "relations guide: objects in memory are not changed by a delete") {
    Category c = db.get<Category>(sf.id);
    Category gone = db.get<Category>(fiction.id);
    CHECK(c.parent->name == "Fiction");  // now cached
    db.remove(fiction);  // SET_NULL: sf's parent_id is NULL in the database
    CHECK(value("SELECT parent_id FROM categories WHERE id = ?", {integer(sf.id)}) == covet::Value{});
    CHECK(queries([&] { CHECK(c.parent->name == "Fiction"); }) == 0);  // the cached object, no query
    CHECK(c.parent.has_value());  // the key read before the delete
    db.refresh(c);
    CHECK_FALSE(c.parent.has_value());

    CHECK_THROWS_AS(db.refresh(gone), covet::DoesNotExist);
    Book b = db.get<Book>(dune.id);
    CHECK(b.author->name == "Ann");
    b.author.reset();  // forgets one
    CHECK_FALSE(b.author.is_cached());
}

// ---- The N+1 guard -----------------------------------------------------------------------------

TEST_CASE_FIXTURE(Data, "relations guide: the N+1 guard") {
    db.guard_lazy_loads(1, covet::LazyLoadAction::Raise);
    CHECK_THROWS_WITH_AS(
        [&] {
            for (const Book& b : db.objects<Book>()) (void)b.author->name;
        }(),
        "covet: N+1 queries: Book.author was loaded lazily 2 times for the objects of one query (limit 1); load it "
        "with the query: select_related(\"author\") or prefetch_related(\"author\")",
        covet::UsageError);
    for (const Book& b : db.objects<Book>().select_related("author")) (void)b.author->name;  // fine

    db.guard_lazy_loads(1, covet::LazyLoadAction::Warn);
    std::vector<std::string> warnings;
    db.on_warning([&](std::string_view w) { warnings.emplace_back(w); });
    for (const Author& a : db.objects<Author>()) (void)a.books.count();
    REQUIRE(warnings.size() == 1);
    CHECK(starts_with(warnings[0], "covet: N+1 queries: Author.books was loaded lazily 2 times "));
    CHECK(ends_with(warnings[0], ": prefetch_related(\"books\")"));
    db.guard_lazy_loads(0);  // off (the default)
    for (const Author& a : db.objects<Author>()) (void)a.books.count();
    CHECK(warnings.size() == 1);

    // Objects not read by a query set are not counted.
    db.guard_lazy_loads(1, covet::LazyLoadAction::Raise);
    for (const std::int64_t id : {dune.id, emma.id, spqr.id}) CHECK(db.get<Book>(id).author->name.size() == 3);
}

// ---- Differences from Django -------------------------------------------------------------------

TEST_CASE_FIXTURE(Data, "relations guide: differences from Django") {
    // DISTINCT is automatic: Ann once.
    CHECK(db.objects<Author>().filter("books__pages__gte", 300).count() == 2);
    // Assigning is book.author = ann or = ann.id.
    Book b = db.get<Book>(spqr.id);
    b.author = ann;
    CHECK(b.author.id() == ann.id);
    b.author = ann.id;
    CHECK(b.author->name == "Ann");
    // SET_NULL happens in SQL: the object in memory keeps its old key until refresh.
    Category c = db.get<Category>(sf.id);
    db.remove(fiction);
    CHECK(c.parent.id() == std::optional<std::int64_t>(fiction.id));
    db.refresh(c);
    CHECK(c.parent.id() == std::nullopt);
}
