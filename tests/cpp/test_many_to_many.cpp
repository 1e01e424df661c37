// covet::ManyToMany (many_to_many.hpp) and its related manager (related_set.hpp,
// related_manager.hpp): Django's ManyToManyField on the seed's Book.categories, a custom through
// model (Group.members through Membership), and self relations, symmetrical or not.
#include "library_fixture.hpp"

#include <covet/covet.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

using namespace library;

namespace {

std::int64_t integer(covet::Database& db, const std::string& sql, std::initializer_list<covet::Value> params = {}) {
    return std::get<std::int64_t>(db.query_value(sql, params));
}

std::int64_t rows(covet::Database& db, const std::string& table) {
    return integer(db, "SELECT count(*) FROM \"" + table + "\"");
}

std::vector<std::string> names(const std::vector<Category>& categories) {
    std::vector<std::string> out;
    for (const Category& c : categories) out.push_back(c.name);
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<std::string> titles(const std::vector<Book>& books) {
    std::vector<std::string> out;
    for (const Book& b : books) out.push_back(b.title);
    std::sort(out.begin(), out.end());
    return out;
}

// The (book_id, category_id) pairs of the junction table, with their row ids.
std::vector<std::tuple<std::int64_t, std::int64_t, std::int64_t>> junction(covet::Database& db) {
    std::vector<std::tuple<std::int64_t, std::int64_t, std::int64_t>> out;
    for (const covet::Row& row : db.query("SELECT id, book_id, category_id FROM books_categories ORDER BY id"))
        out.emplace_back(row.int64(0), row.int64(1), row.int64(2));
    return out;
}

std::vector<std::string> column_names(covet::Database& db, const std::string& table) {
    std::vector<std::string> out;
    for (const covet::Row& row : db.query("SELECT name FROM pragma_table_info(?) ORDER BY cid", {covet::Value{table}}))
        out.emplace_back(row.text(0));
    return out;
}

bool starts_with(const std::string& text, std::string_view prefix) { return text.rfind(prefix, 0) == 0; }
bool contains(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

}  // namespace

// ---- Models of the through-model and self-relation tests ----------------------------------------

namespace m2m {

struct Person;
struct Membership;

struct Group {
    std::int64_t id = 0;
    std::string name;
    covet::ManyToMany<Person, {.related_name = "groups"}, Membership> members{};
};

struct Person {
    std::int64_t id = 0;
    std::string name;
};

struct Membership {
    std::int64_t id = 0;
    covet::ForeignKey<Person, {.on_delete = covet::Cascade}> person{};
    covet::ForeignKey<Group, {.on_delete = covet::Cascade}> group{};
    std::string role;
    std::chrono::sys_seconds joined{};
};

// A symmetrical self relation (Django's default for ManyToManyField("self")).
struct Person2 {
    std::int64_t id = 0;
    std::string name;
    covet::ManyToMany<Person2> friends{};
};

// An asymmetrical one: following is not being followed.
struct Person3 {
    std::int64_t id = 0;
    std::string name;
    covet::ManyToMany<Person3, {.symmetrical = covet::Symmetry::Asymmetrical}> follows{};
};

}  // namespace m2m

BOOST_HANA_ADAPT_STRUCT(m2m::Group, id, name, members);
BOOST_HANA_ADAPT_STRUCT(m2m::Person, id, name);
BOOST_HANA_ADAPT_STRUCT(m2m::Membership, id, person, group, role, joined);
BOOST_HANA_ADAPT_STRUCT(m2m::Person2, id, name, friends);
BOOST_HANA_ADAPT_STRUCT(m2m::Person3, id, name, follows);

template <>
struct covet::meta<m2m::Membership> {
    static constexpr auto fields = covet::fields(covet::field<&m2m::Membership::joined>{.auto_now_add = true});
};

// ---- Book.categories ------------------------------------------------------------------------------

TEST_CASE_FIXTURE(Library, "the seed's test_manytomany: add two, remove one, clear") {
    Book post = db.create(Book{.title = "Post", .author = ann, .published_date = "2024-01-01", .pages = 1});
    CHECK(post.categories.all().empty());
    post.categories.add(db, fiction, history);
    CHECK(post.categories.all().size() == 2);
    CHECK(names(post.categories.all()) == std::vector<std::string>{"Fiction", "History"});
    CHECK(post.categories.count() == 2);
    CHECK(post.categories.exists());
    post.categories.remove(db, fiction);
    CHECK(post.categories.all().size() == 1);
    CHECK(names(post.categories.all()) == std::vector<std::string>{"History"});
    post.categories.clear(db);
    CHECK(post.categories.all().empty());
    CHECK(post.categories.count() == 0);
    CHECK_FALSE(post.categories.exists());
    // The others' pairs are untouched.
    CHECK(names(dune.categories.all()) == std::vector<std::string>{"Fiction", "SF"});
    CHECK(rows(db, "books_categories") == 4);
}

TEST_CASE_FIXTURE(Library, "the member works without the Database argument once its object is read or saved") {
    Book read = db.get<Book>(spqr.id);
    read.categories.add(sf);  // no db: the one it was read from
    CHECK(names(read.categories.all()) == std::vector<std::string>{"History", "SF"});
    read.categories.remove(sf);
    CHECK(names(read.categories.all()) == std::vector<std::string>{"History"});
    Book copy = read;  // a copy keeps the attachment
    CHECK(names(copy.categories.all()) == std::vector<std::string>{"History"});
}

TEST_CASE_FIXTURE(Library, "add accepts objects, keys, ranges of either, mixed") {
    Category a = db.create(Category{.name = "A"});
    Category b = db.create(Category{.name = "B"});
    Category c = db.create(Category{.name = "C"});
    Category d = db.create(Category{.name = "D"});
    Category e = db.create(Category{.name = "E"});
    Book book = db.create(Book{.title = "Mixed", .author = bob, .published_date = "2000-01-01", .pages = 10});

    book.categories.add(db, a);                                      // an object
    book.categories.add(db, b.id);                                   // a key
    book.categories.add(db, std::vector<Category>{c});               // a range of objects
    book.categories.add(db, std::vector<std::int64_t>{d.id});        // a range of keys
    CHECK(names(book.categories.all()) == std::vector<std::string>{"A", "B", "C", "D"});
    book.categories.clear(db);
    book.categories.add(db, a, b.id, std::vector<Category>{c}, std::vector<std::int64_t>{d.id, e.id});  // mixed
    CHECK(names(book.categories.all()) == std::vector<std::string>{"A", "B", "C", "D", "E"});
    CHECK(integer(db, "SELECT count(*) FROM books_categories WHERE book_id = ?", {covet::Value{book.id}}) == 5);
}

TEST_CASE_FIXTURE(Library, "add is idempotent: existing pairs (and duplicates in one call) add nothing") {
    const auto before = junction(db);
    dune.categories.add(db, fiction, sf);
    CHECK(junction(db) == before);
    dune.categories.add(db, fiction.id, fiction.id, history, history);  // history once
    CHECK(rows(db, "books_categories") == static_cast<std::int64_t>(before.size()) + 1);
    CHECK(names(dune.categories.all()) == std::vector<std::string>{"Fiction", "History", "SF"});
    CHECK(integer(db, "SELECT count(*) FROM books_categories WHERE book_id = ? AND category_id = ?",
                  {covet::Value{dune.id}, covet::Value{history.id}}) == 1);
}

TEST_CASE_FIXTURE(Library, "add of several keys, remove and clear are each one statement") {
    Category a = db.create(Category{.name = "A"});
    Category b = db.create(Category{.name = "B"});
    Category c = db.create(Category{.name = "C"});
    CHECK(queries([&] { emma.categories.add(db, a, b.id, std::vector<std::int64_t>{c.id, history.id}); }) == 1);
    CHECK(emma.categories.count(db) == 5);
    CHECK(queries([&] { emma.categories.remove(db, a, b.id); }) == 1);
    CHECK(emma.categories.count(db) == 3);
    covet::assert_num_queries(db, 1, [&] { emma.categories.clear(db); });
    CHECK(emma.categories.count(db) == 0);
    // Nothing to add / remove: no statement at all.
    CHECK(queries([&] { emma.categories.add(db, std::vector<std::int64_t>{}); }) == 0);
    CHECK(queries([&] { emma.categories.remove(db, std::vector<std::int64_t>{}); }) == 0);
}

TEST_CASE_FIXTURE(Library, "set() adds only the missing, removes the extra, keeps the kept rows") {
    Category a = db.create(Category{.name = "A"});
    // dune: Fiction, SF -> SF, History, A.
    const auto before = junction(db);
    std::int64_t sf_row = 0;
    for (const auto& [id, book, category] : before)
        if (book == dune.id && category == sf.id) sf_row = id;
    REQUIRE(sf_row != 0);

    std::vector<std::string> statements;
    auto previous = db.on_query([&](std::string_view sql, std::chrono::nanoseconds) { statements.emplace_back(sql); });
    dune.categories.set(db, std::vector<std::int64_t>{sf.id, history.id, a.id});
    db.on_query(previous);

    CHECK(names(dune.categories.all()) == std::vector<std::string>{"A", "History", "SF"});
    // The kept pair is the same row.
    CHECK(integer(db, "SELECT id FROM books_categories WHERE book_id = ? AND category_id = ?",
                  {covet::Value{dune.id}, covet::Value{sf.id}}) == sf_row);
    // One transaction: BEGIN ... COMMIT around the reads and writes.
    REQUIRE(statements.size() >= 3);
    CHECK((contains(statements.front(), "BEGIN") || contains(statements.front(), "SAVEPOINT")));
    CHECK((contains(statements.back(), "COMMIT") || contains(statements.back(), "RELEASE")));
    // set() with what is there already writes nothing.
    const auto now = junction(db);
    dune.categories.set(db, std::vector<Category>{sf, history, a});
    CHECK(junction(db) == now);
    // set() to nothing is clear().
    dune.categories.set(db, std::vector<std::int64_t>{});
    CHECK(dune.categories.count(db) == 0);
}

TEST_CASE_FIXTURE(Library, "set() is all or nothing: a bad key rolls the removals back") {
    const std::string before = snapshot();
    CHECK_THROWS_AS(dune.categories.set(db, std::vector<std::int64_t>{history.id, 999}), covet::IntegrityError);
    CHECK(snapshot() == before);
    CHECK_FALSE(db.in_transaction());
}

TEST_CASE_FIXTURE(Library, "the reverse side: Category.books, db.related, add from either side") {
    CHECK(titles(fiction.books.all()) == std::vector<std::string>{"Dune", "Emma"});
    CHECK(titles(db.related<Book>(fiction, "books").all()) == std::vector<std::string>{"Dune", "Emma"});
    CHECK(titles(db.related<Book>(history, "books").all()) == std::vector<std::string>{"SPQR"});
    CHECK(db.related<Book>(sf, "books").count() == 1);
    // The forward side by name too.
    CHECK(names(db.related<Category>(dune, "categories").all()) == std::vector<std::string>{"Fiction", "SF"});
    // Filters on the reverse manager.
    CHECK(titles(fiction.books.filter("pages__gte", 400).to_vector()) == std::vector<std::string>{"Dune"});

    fiction.books.add(db, spqr);
    CHECK(names(spqr.categories.all()) == std::vector<std::string>{"Fiction", "History"});
    CHECK(titles(fiction.books.all()) == std::vector<std::string>{"Dune", "Emma", "SPQR"});
    CHECK(integer(db, "SELECT count(*) FROM books_categories WHERE book_id = ? AND category_id = ?",
                  {covet::Value{spqr.id}, covet::Value{fiction.id}}) == 1);
    db.related<Book>(history, "books").add(emma.id);
    CHECK(names(emma.categories.all()) == std::vector<std::string>{"Fiction", "History"});
    fiction.books.remove(db, dune);
    CHECK(names(dune.categories.all()) == std::vector<std::string>{"SF"});
    history.books.clear(db);
    CHECK(names(spqr.categories.all()) == std::vector<std::string>{"Fiction"});
    CHECK(names(emma.categories.all()) == std::vector<std::string>{"Fiction"});
}

TEST_CASE_FIXTURE(Library, "the junction table has Django's names and a UNIQUE pair") {
    CHECK(column_names(db, "books_categories") == std::vector<std::string>{"id", "book_id", "category_id"});
    // A unique index on exactly (book_id, category_id).
    std::vector<std::string> unique_indexes;
    for (const covet::Row& row :
         db.query("SELECT name FROM pragma_index_list('books_categories') WHERE \"unique\" = 1 ORDER BY name"))
        unique_indexes.emplace_back(row.text(0));
    bool found = false;
    for (const std::string& index : unique_indexes) {
        std::vector<std::string> columns;
        for (const covet::Row& row : db.query("SELECT name FROM pragma_index_info(?) ORDER BY seqno", {covet::Value{index}}))
            columns.emplace_back(row.text(0));
        if (columns == std::vector<std::string>{"book_id", "category_id"}) found = true;
    }
    CHECK(found);
    // So the database itself refuses a duplicate pair.
    CHECK_THROWS_AS(db.execute("INSERT INTO books_categories(book_id, category_id) VALUES (?, ?)",
                               {covet::Value{dune.id}, covet::Value{fiction.id}}),
                    covet::IntegrityError);
    // And covet_relations knows the relation by Django's names.
    CHECK(integer(db,
                  "SELECT count(*) FROM covet_relations WHERE name = 'books.categories' AND kind = 'many_to_many' "
                  "AND through_table = 'books_categories' AND through_from_column = 'book_id' "
                  "AND through_to_column = 'category_id'") == 1);
}

// ---- Errors --------------------------------------------------------------------------------------

TEST_CASE_FIXTURE(Library, "the member of an unsaved object refuses, naming the relation") {
    Book b{};
    const std::string before = snapshot();
    CHECK_THROWS_AS(b.categories.add(db, fiction), covet::UsageError);
    const std::string message = message_of([&] { b.categories.add(db, fiction); });
    CHECK(starts_with(message, "covet:"));
    CHECK(contains(message, "Category"));
    CHECK(contains(message, "saved"));
    CHECK_THROWS_AS(b.categories.all(db), covet::UsageError);
    CHECK_THROWS_AS(b.categories.all(), covet::UsageError);
    CHECK(snapshot() == before);
    // The manager by name names the owner's model and the missing key.
    const std::string by_name = message_of([&] { db.related<Category>(b, "categories"); });
    CHECK(starts_with(by_name, "covet:"));
    CHECK(contains(by_name, "Book.categories"));
    CHECK_THROWS_AS(db.related<Category>(b, "categories"), covet::UsageError);
}

TEST_CASE_FIXTURE(Library, "a key that does not exist is refused by the extension's trigger, all or nothing") {
    const std::string before = snapshot();
    CHECK_THROWS_AS(emma.categories.add(db, std::int64_t{999}), covet::IntegrityError);
    CHECK(snapshot() == before);
    // Mixed with good keys: none is added.
    CHECK_THROWS_AS(emma.categories.add(db, history, std::int64_t{999}, sf.id), covet::IntegrityError);
    CHECK(snapshot() == before);
    const std::string message = message_of([&] { emma.categories.add(db, history, std::int64_t{999}); });
    CHECK(starts_with(message, "covet:"));
    CHECK(contains(message, "categories"));
    // From the reverse side too (a book that does not exist).
    CHECK_THROWS_AS(fiction.books.add(db, std::int64_t{999}), covet::IntegrityError);
    CHECK(snapshot() == before);
    // An unsaved object (no key) is refused too, and nothing is added with it.
    CHECK_THROWS_AS(emma.categories.add(db, history, Category{.name = "Unsaved"}), covet::Error);
    CHECK(snapshot() == before);
}

TEST_CASE_FIXTURE(Library, "an object built by hand has no Database: a clear error, and db.related works") {
    Book by_hand{.id = dune.id, .title = "Dune"};
    CHECK_THROWS_AS(by_hand.categories.all(), covet::UsageError);
    CHECK_THROWS_AS(by_hand.categories.count(db), covet::UsageError);
    const std::string message = message_of([&] { by_hand.categories.all(); });
    CHECK(starts_with(message, "covet:"));
    CHECK(contains(message, "Category"));
    // The advice must work: a many member of an object built by hand cannot know its owner, so
    // passing the Database (all(db)) fails as well; the message must not send the user there.
    if (contains(message, "all(db)")) {
        CHECK_NOTHROW(by_hand.categories.all(db));
    }
    // The manager by name reads the key from the object itself.
    CHECK(names(db.related<Category>(by_hand, "categories").all()) == std::vector<std::string>{"Fiction", "SF"});
}

TEST_CASE("a member whose Database has been destroyed says so instead of touching freed memory") {
    auto db = std::make_unique<covet::Database>(":memory:");
    db->migrate<Author, Profile, Category, Book>();
    Author ann = db->create(Author{.name = "Ann", .email = "ann@example.com"});
    Book book = db->create(Book{.title = "Dune", .author = ann, .published_date = "1965-08-01", .pages = 412});
    db.reset();
    CHECK_THROWS_AS(book.categories.all(), covet::Error);
    const std::string message = message_of([&] { book.categories.count(); });
    CHECK(starts_with(message, "covet:"));
    CHECK(contains(message, "Book.categories"));
    CHECK(contains(message, "closed"));
}

// ---- A custom through model ------------------------------------------------------------------------

TEST_CASE("through model: add with through_defaults, remove, clear, cascade") {
    using namespace m2m;
    covet::Database db{":memory:"};
    db.migrate<Person, Group, Membership>();
    Person ringo = db.create(Person{.name = "Ringo"});
    Person paul = db.create(Person{.name = "Paul"});
    Person john = db.create(Person{.name = "John"});
    Group beatles = db.create(Group{.name = "The Beatles"});
    Group wings = db.create(Group{.name = "Wings"});

    const auto start = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    beatles.members.add(db, ringo, paul.id, covet::through_defaults(Membership{.role = "admin"}));
    CHECK(beatles.members.count() == 2);
    CHECK(rows(db, "memberships") == 2);
    for (const Membership& m : db.objects<Membership>().to_vector()) {
        CHECK(m.role == "admin");
        CHECK(m.group.id() == beatles.id);
        CHECK(m.joined >= start);
        CHECK(m.joined <= std::chrono::system_clock::now());
    }
    // Idempotent there too.
    beatles.members.add(db, ringo, covet::through_defaults(Membership{.role = "drums"}));
    CHECK(rows(db, "memberships") == 2);
    CHECK(db.objects<Membership>().filter("role", "drums").count() == 0);

    // The reverse side by its related_name.
    CHECK(db.related<Group>(paul, "groups").count() == 1);
    wings.members.add(db, paul, covet::through_defaults(Membership{.role = "bass"}));
    CHECK(db.related<Group>(paul, "groups").count() == 2);

    beatles.members.remove(db, ringo);
    CHECK(beatles.members.count() == 1);
    CHECK(rows(db, "memberships") == 2);  // paul in both
    beatles.members.clear(db);
    CHECK(beatles.members.count() == 0);
    CHECK(rows(db, "memberships") == 1);  // paul in wings

    // Deleting a person cascades to their memberships.
    wings.members.add(db, john, covet::through_defaults(Membership{.role = "guest"}));
    const covet::DeleteResult r = db.remove(paul);
    CHECK(r.total == 2);
    CHECK(r.per_table == std::map<std::string, std::int64_t>{{"memberships", 1}, {"persons", 1}});
    CHECK(wings.members.count() == 1);
    CHECK(wings.members.all().front().name == "John");
}

TEST_CASE("through model: set() and create() with through_defaults") {
    using namespace m2m;
    covet::Database db{":memory:"};
    db.migrate<Person, Group, Membership>();
    Person ringo = db.create(Person{.name = "Ringo"});
    Person paul = db.create(Person{.name = "Paul"});
    Person john = db.create(Person{.name = "John"});
    Group beatles = db.create(Group{.name = "The Beatles"});
    beatles.members.add(db, ringo, paul, covet::through_defaults(Membership{.role = "old"}));
    const std::int64_t paul_row = std::get<std::int64_t>(
        db.query_value("SELECT id FROM memberships WHERE person_id = ?", {covet::Value{paul.id}}));

    beatles.members.set(db, std::vector<Person>{paul, john}, covet::through_defaults(Membership{.role = "new"}));
    std::vector<std::string> roles;
    for (const Membership& m : db.objects<Membership>().order_by("id").to_vector())
        roles.push_back(m.person->name + ":" + m.role);
    CHECK(roles == std::vector<std::string>{"Paul:old", "John:new"});
    CHECK(std::get<std::int64_t>(db.query_value("SELECT id FROM memberships WHERE person_id = ?",
                                                {covet::Value{paul.id}})) == paul_row);

    // A key that does not exist: no membership is made, not even the good one's.
    const std::int64_t memberships = rows(db, "memberships");
    CHECK_THROWS_AS(beatles.members.add(db, ringo, std::int64_t{999}, covet::through_defaults(Membership{.role = "x"})),
                    covet::IntegrityError);
    CHECK(rows(db, "memberships") == memberships);

    // create(): the object, then its membership.
    Person george = beatles.members.create(db, Person{.name = "George"}, covet::through_defaults(Membership{.role = "lead"}));
    CHECK(george.id != 0);
    CHECK(beatles.members.count() == 3);
    CHECK(db.objects<Membership>().filter("role", "lead").count() == 1);
}

TEST_CASE_FIXTURE(Library, "create() on a ManyToMany creates the object and the pair, in one transaction") {
    Category created = dune.categories.create(db, Category{.name = "Classic"});
    CHECK(created.id != 0);
    CHECK(names(dune.categories.all()) == std::vector<std::string>{"Classic", "Fiction", "SF"});
    Book book = fiction.books.create(db, Book{.title = "New", .author = bob, .published_date = "2001-01-01", .pages = 5});
    CHECK(book.id != 0);
    CHECK(names(db.get<Book>(book.id).categories.all()) == std::vector<std::string>{"Fiction"});
    // A failing create leaves nothing behind (the title is too long: refused before any write).
    const std::string before = snapshot();
    CHECK_THROWS(fiction.books.create(db, Book{.title = std::string(300, 'x'), .author = bob}));
    CHECK(snapshot() == before);
}

TEST_CASE("through model: add without through_defaults when a column needs a value") {
    using namespace m2m;
    covet::Database db{":memory:"};
    db.migrate<Person, Group, Membership>();
    Person ringo = db.create(Person{.name = "Ringo"});
    Group beatles = db.create(Group{.name = "The Beatles"});
    const std::int64_t before = rows(db, "memberships");
    std::string message;
    try {
        beatles.members.add(db, ringo);
    } catch (const covet::IntegrityError& e) {
        message = e.what();
    }
    // A NOT NULL column of the through model without a value: an IntegrityError naming it.
    CHECK(contains(message, "memberships."));
    CHECK((contains(message, "role") || contains(message, "joined")));
    CHECK(rows(db, "memberships") == before);
    CHECK(beatles.members.count() == 0);
}

TEST_CASE("through model: through_defaults of another model is refused") {
    using namespace m2m;
    covet::Database db{":memory:"};
    db.migrate<Person, Group, Membership>();
    Person ringo = db.create(Person{.name = "Ringo"});
    Group beatles = db.create(Group{.name = "The Beatles"});
    CHECK_THROWS_AS(beatles.members.add(db, ringo, covet::through_defaults(Person{.name = "x"})), covet::UsageError);
    CHECK(rows(db, "memberships") == 0);
}

// ---- Self relations --------------------------------------------------------------------------------

TEST_CASE("self ManyToMany: symmetrical by default") {
    using namespace m2m;
    covet::Database db{":memory:"};
    db.migrate<Person2>();
    Person2 a = db.create(Person2{.name = "a"});
    Person2 b = db.create(Person2{.name = "b"});
    Person2 c = db.create(Person2{.name = "c"});

    CHECK(column_names(db, "person2s_friends") == std::vector<std::string>{"id", "from_person2_id", "to_person2_id"});

    a.friends.add(db, b);
    REQUIRE(b.friends.all().size() == 1);
    CHECK(b.friends.all().front().name == "a");
    CHECK(a.friends.all().front().name == "b");
    CHECK(rows(db, "person2s_friends") == 2);  // both directions stored
    a.friends.add(db, b);                        // idempotent
    b.friends.add(db, a);                        // the mirror pair is there already
    CHECK(rows(db, "person2s_friends") == 2);

    a.friends.add(db, c);
    CHECK(a.friends.count() == 2);
    CHECK(c.friends.count() == 1);
    a.friends.remove(db, b);  // both directions
    CHECK(b.friends.count() == 0);
    CHECK(a.friends.count() == 1);
    CHECK(rows(db, "person2s_friends") == 2);
    b.friends.add(db, c);
    c.friends.clear(db);  // c's pairs, both ways
    CHECK(c.friends.count() == 0);
    CHECK(a.friends.count() == 0);
    CHECK(b.friends.count() == 0);
    CHECK(rows(db, "person2s_friends") == 0);

    // Deleting a person removes the pairs of both directions.
    a.friends.add(db, b, c);
    CHECK(rows(db, "person2s_friends") == 4);
    const covet::DeleteResult r = db.remove(a);
    CHECK(r.per_table.at("person2s") == 1);
    CHECK(r.per_table.at("person2s_friends") == 4);
    CHECK(rows(db, "person2s_friends") == 0);

    // bulk_add stores both ways too, and a pair given both ways is one pair.
    const std::vector<std::pair<covet::Value, covet::Value>> pairs{{b.id, c.id}, {c.id, b.id}};
    covet::bulk_add<&Person2::friends>(db, pairs);
    CHECK(rows(db, "person2s_friends") == 2);
    CHECK(c.friends.all().front().name == "b");
}

TEST_CASE("self ManyToMany: asymmetrical does not mirror") {
    using namespace m2m;
    covet::Database db{":memory:"};
    db.migrate<Person3>();
    Person3 a = db.create(Person3{.name = "a"});
    Person3 b = db.create(Person3{.name = "b"});

    CHECK(column_names(db, "person3s_follows") == std::vector<std::string>{"id", "from_person3_id", "to_person3_id"});
    a.follows.add(db, b);
    CHECK(a.follows.count() == 1);
    CHECK(b.follows.count() == 0);
    CHECK(rows(db, "person3s_follows") == 1);
    // The reverse side exists for an asymmetrical relation (Django: person3_set).
    CHECK(db.related<Person3>(b, "person3_set").count() == 1);
    b.follows.add(db, a);
    CHECK(rows(db, "person3s_follows") == 2);
    a.follows.remove(db, b);  // only that direction
    CHECK(a.follows.count() == 0);
    CHECK(b.follows.count() == 1);
    b.follows.clear(db);
    CHECK(rows(db, "person3s_follows") == 0);
}

// ---- The prefetch cache ---------------------------------------------------------------------------

TEST_CASE_FIXTURE(Library, "add / remove / clear / set drop the prefetch cache") {
    std::vector<Book> books = db.objects<Book>().prefetch_related("categories").to_vector();
    REQUIRE(books.size() == 3);
    Book& d = *std::find_if(books.begin(), books.end(), [](const Book& b) { return b.title == "Dune"; });
    REQUIRE(d.categories.is_cached());
    CHECK(queries([&] { CHECK(names(d.categories.all()) == std::vector<std::string>{"Fiction", "SF"}); }) == 0);
    CHECK(queries([&] { CHECK(d.categories.count() == 2); }) == 0);

    d.categories.add(db, history);
    CHECK_FALSE(d.categories.is_cached());
    CHECK(queries([&] { CHECK(names(d.categories.all()) == std::vector<std::string>{"Fiction", "History", "SF"}); }) == 1);

    books = db.objects<Book>().prefetch_related("categories").to_vector();
    for (Book& b : books) {
        REQUIRE(b.categories.is_cached());
        b.categories.remove(db, fiction);
        CHECK_FALSE(b.categories.is_cached());
    }
    books = db.objects<Book>().prefetch_related("categories").to_vector();
    books[0].categories.clear(db);
    CHECK_FALSE(books[0].categories.is_cached());
    REQUIRE(books[1].categories.is_cached());
    books[1].categories.set(db, std::vector<Category>{sf});
    CHECK_FALSE(books[1].categories.is_cached());
    CHECK(queries([&] { CHECK(names(books[1].categories.all()) == std::vector<std::string>{"SF"}); }) == 1);

    // A manager by name writes through the same cache.
    books = db.objects<Book>().prefetch_related("categories").to_vector();
    REQUIRE(books[2].categories.is_cached());
    db.related<Category>(books[2], "categories").add(history);
    CHECK_FALSE(books[2].categories.is_cached());

    // The reverse side's cache too.
    std::vector<Category> categories = db.objects<Category>().prefetch_related("books").to_vector();
    Category& h = *std::find_if(categories.begin(), categories.end(), [](const Category& c) { return c.name == "History"; });
    REQUIRE(h.books.is_cached());
    h.books.add(db, emma);
    CHECK_FALSE(h.books.is_cached());
    CHECK(titles(h.books.all()) == std::vector<std::string>{"Emma"});  // SPQR cleared, Dune set to SF above
}

TEST_CASE_FIXTURE(Library, "bulk_add: many owners in one call, add()'s rules, keys checked once per side") {
    std::vector<std::pair<covet::Value, covet::Value>> pairs{
        {emma.id, sf.id}, {spqr.id, fiction.id}, {emma.id, sf.id}, {dune.id, fiction.id}};  // a duplicate, an existing pair
    std::vector<std::string> statements;
    auto previous = db.on_query([&](std::string_view sql, auto) { statements.emplace_back(sql); });
    covet::bulk_add<&Book::categories>(db, pairs);
    db.on_query(std::move(previous));
    CHECK(rows(db, "books_categories") == 4 + 2);
    std::vector<std::string> names;
    for (const Category& c : db.get<Book>(emma.id).categories.order_by("name")) names.push_back(c.name);
    CHECK(names == std::vector<std::string>{"Fiction", "SF"});
    CHECK(db.get<Book>(spqr.id).categories.count() == 2);
    const auto checks = std::count_if(statements.begin(), statements.end(),
                                      [](const std::string& s) { return s.find("json_each") != s.npos; });
    CHECK(checks == 2);  // books once, categories once, whatever the number of pairs
}

TEST_CASE_FIXTURE(Library, "bulk_add with a key no row has: IntegrityError naming it, nothing added") {
    const std::string before = snapshot();
    const std::vector<std::pair<covet::Value, covet::Value>> bad_category{{emma.id, sf.id}, {spqr.id, std::int64_t{999}}};
    try {
        covet::bulk_add<&Book::categories>(db, bad_category);
        FAIL("no exception");
    } catch (const covet::IntegrityError& e) {
        CHECK(std::string(e.what()) ==
              "covet: books_categories.category_id must reference an existing categories.id (relation "
              "books.categories): there is no categories.id = 999 (pair 1 of bulk_add to Book.categories)");
        CHECK(e.value() == "999");
    }
    CHECK(snapshot() == before);
    const std::vector<std::pair<covet::Value, covet::Value>> bad_book{{std::int64_t{777}, sf.id}};
    CHECK_THROWS_WITH_AS(covet::bulk_add<&Book::categories>(db, bad_book),
                         doctest::Contains("there is no books.id = 777 (pair 0 of bulk_add to Book.categories)"),
                         covet::IntegrityError);
    CHECK(snapshot() == before);
    // An unsaved object's key (0) or NULL: a UsageError naming the pair, nothing added.
    const std::vector<std::pair<covet::Value, covet::Value>> unsaved{{emma.id, sf.id}, {emma.id, std::int64_t{0}}};
    CHECK_THROWS_WITH_AS(covet::bulk_add<&Book::categories>(db, unsaved),
                         "covet: bulk_add to Book.categories: pair 1 has no Category key (an unsaved object?)",
                         covet::UsageError);
    CHECK(snapshot() == before);
    // The junction's trigger checks plain SQL again afterwards.
    CHECK_THROWS_AS(db.execute("INSERT INTO books_categories(book_id, category_id) VALUES (?1, 999)",
                               {covet::Value{emma.id}}),
                    covet::IntegrityError);
}

TEST_CASE_FIXTURE(Library, "bulk_add counts a run of consecutive keys at once, and still names the one missing") {
    std::vector<Category> many;
    for (int i = 0; i < 20; ++i) many.push_back(Category{.name = "C" + std::to_string(i)});
    const std::vector<Category> created = db.bulk_create(std::move(many));
    const std::int64_t gap = created[6].id;
    db.remove(created[6]);
    std::vector<std::pair<covet::Value, covet::Value>> pairs;
    for (const Category& c : created) pairs.emplace_back(emma.id, c.id);
    const std::string before = snapshot();
    CHECK_THROWS_WITH_AS(covet::bulk_add<&Book::categories>(db, pairs),
                         ("covet: books_categories.category_id must reference an existing categories.id (relation "
                          "books.categories): there is no categories.id = " +
                          std::to_string(gap) + " (pair 6 of bulk_add to Book.categories)")
                             .c_str(),
                         covet::IntegrityError);
    CHECK(snapshot() == before);
    pairs.erase(pairs.begin() + 6);
    covet::bulk_add<&Book::categories>(db, pairs);
    CHECK(emma.categories.count() == 1 + 19);
}
