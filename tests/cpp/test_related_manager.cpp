// The reverse side of ForeignKey and OneToOne relations (reverse.hpp, reverse_many.hpp,
// reverse_one.hpp, related_manager.hpp): Django's `author.books` related manager and
// `author.profile`, through covet::reverse<&T::member>, db.related<T>(owner, name) and the
// declared members, on the seed's library.
#include "library_fixture.hpp"

#include <covet/covet.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

using namespace library;

namespace {

std::vector<std::string> titles(const std::vector<Book>& books, bool sorted = true) {
    std::vector<std::string> out;
    for (const Book& b : books) out.push_back(b.title);
    if (sorted) std::sort(out.begin(), out.end());
    return out;
}

std::vector<std::string> names(const std::vector<Category>& categories) {
    std::vector<std::string> out;
    for (const Category& c : categories) out.push_back(c.name);
    std::sort(out.begin(), out.end());
    return out;
}

bool starts_with(const std::string& text, std::string_view prefix) { return text.rfind(prefix, 0) == 0; }
bool contains(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

using Titles = std::vector<std::string>;

}  // namespace

// ---- Reverse ForeignKey: reading ------------------------------------------------------------------

TEST_CASE_FIXTURE(Library, "covet::reverse<&Book::author>: all, filter, exclude, order_by, count, exists") {
    covet::RelatedManager<Book> books = covet::reverse<&Book::author>(db, ann);
    CHECK(queries([&] { CHECK(titles(books.all()) == Titles{"Dune", "Emma"}); }) == 1);
    CHECK(titles(books.filter("pages__gte", 350).to_vector()) == Titles{"Dune"});
    CHECK(titles(books.exclude("pages__gte", 350).to_vector()) == Titles{"Emma"});
    CHECK(titles(books.order_by("-pages").to_vector(), false) == Titles{"Dune", "Emma"});
    CHECK(titles(books.order_by("pages").to_vector(), false) == Titles{"Emma", "Dune"});
    CHECK(queries([&] { CHECK(books.count() == 2); }) == 1);
    CHECK(queries([&] { CHECK(books.exists()); }) == 1);
    // The model's ordering (-published_date) applies to all().
    CHECK(titles(books.all(), false) == Titles{"Dune", "Emma"});
    // Chained filters stay inside the relation.
    CHECK(books.filter("pages__gte", 100).count() == 2);
    CHECK(books.filter("title", "SPQR").count() == 0);

    CHECK(titles(covet::reverse<&Book::author>(db, bob).all()) == Titles{"SPQR"});
    const auto none = covet::reverse<&Book::author>(db, cid);
    CHECK(none.all().empty());
    CHECK(none.count() == 0);
    CHECK_FALSE(none.exists());
}

TEST_CASE_FIXTURE(Library, "db.related<Book>(ann, \"books\") and the declared ann.books give the same") {
    const auto by_name = db.related<Book>(ann, "books");
    CHECK(titles(by_name.all()) == Titles{"Dune", "Emma"});
    CHECK(titles(by_name.filter("pages__gte", 350).to_vector()) == Titles{"Dune"});
    CHECK(by_name.count() == 2);

    CHECK(titles(ann.books.all()) == Titles{"Dune", "Emma"});
    CHECK(titles(ann.books.filter("pages__gte", 350).to_vector()) == Titles{"Dune"});
    CHECK(titles(ann.books.exclude("pages__gte", 350).to_vector()) == Titles{"Emma"});
    CHECK(titles(ann.books.order_by("-pages").to_vector(), false) == Titles{"Dune", "Emma"});
    CHECK(ann.books.count() == 2);
    CHECK(ann.books.exists());
    CHECK_FALSE(cid.books.exists());
    CHECK(titles(bob.books.all(db)) == Titles{"SPQR"});
    // A read object's member too.
    Author read = db.get<Author>(ann.id);
    CHECK(queries([&] { CHECK(read.books.count() == 2); }) == 1);
    // The self relation's reverse side.
    CHECK(names(fiction.children.all()) == std::vector<std::string>{"SF"});
    CHECK(names(db.related<Category>(fiction, "children").all()) == std::vector<std::string>{"SF"});
    CHECK_FALSE(sf.children.exists());
}

TEST_CASE_FIXTURE(Library, "prefetch_related fills ann.books; covet::reverse and db.related serve that cache") {
    std::vector<Author> authors = db.objects<Author>().order_by("id").prefetch_related("books").to_vector();
    REQUIRE(authors.size() == 3);
    Author& a = authors[0];
    REQUIRE(a.books.is_cached());
    CHECK(queries([&] {
              CHECK(titles(a.books.all()) == Titles{"Dune", "Emma"});
              CHECK(a.books.count() == 2);
              CHECK(titles(covet::reverse<&Book::author>(db, a).all()) == Titles{"Dune", "Emma"});
              CHECK(db.related<Book>(a, "books").count() == 2);
              CHECK_FALSE(authors[2].books.exists());
          }) == 0);
    // A filter always queries.
    CHECK(queries([&] { CHECK(a.books.filter("pages__gte", 350).count() == 1); }) == 1);
    // A write drops the cache.
    a.books.add(db, spqr);
    CHECK_FALSE(a.books.is_cached());
    CHECK(queries([&] { CHECK(titles(a.books.all()) == Titles{"Dune", "Emma", "SPQR"}); }) == 1);
    // So does a write through covet::reverse / db.related on the prefetched object.
    authors = db.objects<Author>().order_by("id").prefetch_related("books").to_vector();
    REQUIRE(authors[2].books.is_cached());
    covet::reverse<&Book::author>(db, authors[2]).add(emma);
    CHECK_FALSE(authors[2].books.is_cached());
    REQUIRE(authors[0].books.is_cached());
    CHECK_THROWS_AS(db.related<Book>(authors[0], "books").clear(), covet::UsageError);
    CHECK(authors[0].books.is_cached());  // a refused write keeps it
}

// ---- Reverse ForeignKey: writing ------------------------------------------------------------------

TEST_CASE_FIXTURE(Library, "create() through the reverse manager sets the key and returns the object with its id") {
    const auto books = covet::reverse<&Book::author>(db, cid);
    Book created = books.create(Book{.title = "Cid's first", .published_date = "2020-01-01", .pages = 50});
    CHECK(created.id != 0);
    CHECK(created.author.id() == cid.id);
    const Book stored = db.get<Book>(created.id);
    CHECK(stored.title == "Cid's first");
    CHECK(stored.author.id() == cid.id);
    CHECK(titles(books.all()) == Titles{"Cid's first"});

    Book second = ann.books.create(Book{.title = "Ann's third", .published_date = "2021-01-01", .pages = 10});
    CHECK(db.get<Book>(second.id).author.id() == ann.id);
    CHECK(ann.books.count() == 3);
    Book third = db.related<Book>(bob, "books").create(Book{.title = "Bob's", .published_date = "2022-01-01", .pages = 1});
    CHECK(db.get<Book>(third.id).author.id() == bob.id);
    // The author given in the object is replaced by the owner (Django sets the FK).
    Book fourth = cid.books.create(Book{.title = "Moved", .author = ann, .published_date = "2022-01-01", .pages = 1});
    CHECK(db.get<Book>(fourth.id).author.id() == cid.id);
}

TEST_CASE_FIXTURE(Library, "add() on a reverse ForeignKey moves the objects to the owner in one UPDATE") {
    CHECK(queries([&] { cid.books.add(db, emma, spqr.id); }) == 1);
    CHECK(titles(cid.books.all()) == Titles{"Emma", "SPQR"});
    CHECK(titles(ann.books.all()) == Titles{"Dune"});
    CHECK(bob.books.count() == 0);
    CHECK(db.get<Book>(spqr.id).author.id() == cid.id);
    // The categories are untouched.
    CHECK(names(db.get<Book>(emma.id).categories.all()) == std::vector<std::string>{"Fiction"});
    // Adding what is there already changes nothing.
    const std::string before = snapshot();
    covet::reverse<&Book::author>(db, cid).add(emma);
    CHECK(snapshot() == before);
}

TEST_CASE_FIXTURE(Library, "add() of an unsaved object to a reverse ForeignKey is refused, not ignored") {
    // Django: "instance isn't saved. Use bulk=False or save the object first." Silently doing
    // nothing would lose the object the caller meant to relate.
    const std::string before = snapshot();
    Book unsaved{.title = "Unsaved", .published_date = "2000-01-01", .pages = 1};
    CHECK_THROWS_AS(cid.books.add(db, unsaved), covet::Error);
    CHECK(snapshot() == before);
}

TEST_CASE_FIXTURE(Library, "remove() and clear() on a NON-nullable ForeignKey are refused, changing nothing") {
    const std::string before = snapshot();
    CHECK_THROWS_AS(ann.books.remove(db, dune), covet::UsageError);
    CHECK_THROWS_AS(ann.books.clear(db), covet::UsageError);
    CHECK_THROWS_AS(covet::reverse<&Book::author>(db, ann).remove(dune.id), covet::UsageError);
    CHECK_THROWS_AS(db.related<Book>(ann, "books").clear(), covet::UsageError);
    CHECK(snapshot() == before);

    const std::string removing = message_of([&] { ann.books.remove(db, dune); });
    CHECK(starts_with(removing, "covet:"));
    CHECK(contains(removing, "Book.author"));
    CHECK(contains(removing, "NULL"));
    CHECK(contains(removing, "cannot"));
    CHECK(contains(removing, "remove"));
    const std::string clearing = message_of([&] { ann.books.clear(db); });
    CHECK(starts_with(clearing, "covet:"));
    CHECK(contains(clearing, "Book.author"));
    CHECK(contains(clearing, "NULL"));
    CHECK(contains(clearing, "clear"));
    // Refused before any statement runs.
    CHECK(queries([&] { (void)message_of([&] { ann.books.clear(db); }); }) == 0);
}

TEST_CASE_FIXTURE(Library, "remove() and clear() on the nullable Category.parent set it to NULL") {
    Category horror = db.create(Category{.name = "Horror", .parent = fiction});
    Category poetry = db.create(Category{.name = "Poetry", .parent = fiction});
    Category ancient = db.create(Category{.name = "Ancient", .parent = history});
    CHECK(names(fiction.children.all()) == std::vector<std::string>{"Horror", "Poetry", "SF"});

    CHECK(queries([&] { fiction.children.remove(db, sf); }) == 1);
    CHECK(names(fiction.children.all()) == std::vector<std::string>{"Horror", "Poetry"});
    Category sf_now = db.get<Category>(sf.id);
    CHECK_FALSE(sf_now.parent.has_value());
    CHECK(sf_now.name == "SF");  // the row stays

    // Removing an object related to another owner leaves it alone.
    fiction.children.remove(db, ancient);
    CHECK(db.get<Category>(ancient.id).parent.id() == std::optional<std::int64_t>{history.id});

    CHECK(queries([&] { fiction.children.clear(db); }) == 1);
    CHECK_FALSE(fiction.children.exists());
    CHECK_FALSE(db.get<Category>(horror.id).parent.has_value());
    CHECK_FALSE(db.get<Category>(poetry.id).parent.has_value());
    CHECK(db.get<Category>(ancient.id).parent.id() == std::optional<std::int64_t>{history.id});
    CHECK(db.objects<Category>().count() == 6);  // nothing deleted

    // add() sets it back.
    db.related<Category>(fiction, "children").add(sf, horror.id);
    CHECK(names(fiction.children.all()) == std::vector<std::string>{"Horror", "SF"});
}

TEST_CASE_FIXTURE(Library, "set() on a nullable reverse ForeignKey: the others get NULL, the missing are added") {
    Category horror = db.create(Category{.name = "Horror"});
    fiction.children.set(db, std::vector<Category>{horror});
    CHECK(names(fiction.children.all()) == std::vector<std::string>{"Horror"});
    CHECK_FALSE(db.get<Category>(sf.id).parent.has_value());
    CHECK(db.objects<Category>().count() == 4);
}

TEST_CASE_FIXTURE(Library, "set() on a NON-nullable reverse ForeignKey only adds, as Django's") {
    // Non-nullable (Book.author): Django's set() cannot remove, so it only adds:
    //   if self.field.null: ... remove(old) ... add(new)   else: self.add(*objs)
    ann.books.set(db, std::vector<Book>{dune, spqr});
    CHECK(titles(ann.books.all()) == Titles{"Dune", "Emma", "SPQR"});
    CHECK(bob.books.count() == 0);
}

// ---- Reverse OneToOne ------------------------------------------------------------------------------

TEST_CASE_FIXTURE(Library, "covet::reverse<&Profile::author> gives the profile, or RelatedObjectDoesNotExist") {
    Profile p = covet::reverse<&Profile::author>(db, ann);
    CHECK(p.bio == "Ann's bio");
    CHECK(p.author.id() == ann.id);
    CHECK(covet::reverse<&Profile::author>(db, cid).bio == "Cid's bio");

    CHECK_THROWS_AS(covet::reverse<&Profile::author>(db, bob), covet::RelatedObjectDoesNotExist);
    CHECK_THROWS_AS(covet::reverse<&Profile::author>(db, bob), covet::DoesNotExist);
    const std::string message = message_of([&] { covet::reverse<&Profile::author>(db, bob); });
    CHECK(starts_with(message, "covet:"));
    CHECK(contains(message, "Profile"));
    CHECK(contains(message, "Author"));
    CHECK(contains(message, std::to_string(bob.id)));

    CHECK_FALSE(covet::reverse_optional<&Profile::author>(db, bob).has_value());
    const std::optional<Profile> maybe = covet::reverse_optional<&Profile::author>(db, ann);
    REQUIRE(maybe.has_value());
    CHECK(maybe->bio == "Ann's bio");
}

TEST_CASE_FIXTURE(Library, "the declared member: ann.profile->bio, bob.profile.optional(), has_value()") {
    Author a = db.get<Author>(ann.id);
    CHECK_FALSE(a.profile.is_cached());
    CHECK(queries([&] { CHECK(a.profile->bio == "Ann's bio"); }) == 1);
    CHECK(a.profile.is_cached());
    CHECK(queries([&] { CHECK((*a.profile).website == "https://ann.example.com"); }) == 0);
    CHECK(a.profile.has_value());

    Author b = db.get<Author>(bob.id);
    CHECK(queries([&] { CHECK_FALSE(b.profile.optional().has_value()); }) == 1);
    CHECK(queries([&] { CHECK_FALSE(b.profile.has_value()); }) == 0);  // known absent
    CHECK_THROWS_AS((void)b.profile->bio, covet::RelatedObjectDoesNotExist);
    const std::string message = message_of([&] { (void)b.profile.get(); });
    CHECK(starts_with(message, "covet:"));
    CHECK(contains(message, "Author.profile"));
    CHECK(contains(message, "Profile"));

    // The fixture's own objects (created, not read) work too.
    CHECK(ann.profile->bio == "Ann's bio");
    CHECK_FALSE(bob.profile.has_value());
    // Once bob has one, a fresh read finds it.
    db.create(Profile{.author = bob, .bio = "Bob's bio", .website = "https://bob.example.com"});
    CHECK(db.get<Author>(bob.id).profile->bio == "Bob's bio");
    Author again = b;
    again.profile.reset();
    CHECK(again.profile.has_value());
}

// ---- Errors --------------------------------------------------------------------------------------

TEST_CASE_FIXTURE(Library, "db.related with an unknown name lists the relations of the model") {
    CHECK_THROWS_AS(db.related<Book>(ann, "bookz"), covet::UsageError);
    const std::string message = message_of([&] { db.related<Book>(ann, "bookz"); });
    CHECK(starts_with(message, "covet:"));
    CHECK(contains(message, "Author"));
    CHECK(contains(message, "bookz"));
    CHECK(contains(message, "books"));
    CHECK(contains(message, "profile"));
}

TEST_CASE_FIXTURE(Library, "db.related with the wrong model, or a relation to one object, is refused") {
    CHECK_THROWS_AS(db.related<Category>(ann, "books"), covet::UsageError);
    const std::string message = message_of([&] { db.related<Category>(ann, "books"); });
    CHECK(starts_with(message, "covet:"));
    CHECK(contains(message, "Author.books"));
    CHECK(contains(message, "Book"));
    CHECK(contains(message, "Category"));
    // A reverse OneToOne is one object, not a manager.
    CHECK_THROWS_AS(db.related<Profile>(ann, "profile"), covet::UsageError);
    // A forward ForeignKey too.
    CHECK_THROWS_AS(db.related<Author>(dune, "author"), covet::UsageError);
}

TEST_CASE_FIXTURE(Library, "the manager of an unsaved Author is refused") {
    Author unsaved{.name = "Nobody", .email = "nobody@example.com"};
    const std::string before = snapshot();
    CHECK_THROWS_AS(covet::reverse<&Book::author>(db, unsaved), covet::UsageError);
    CHECK_THROWS_AS(db.related<Book>(unsaved, "books"), covet::UsageError);
    CHECK_THROWS_AS(unsaved.books.all(db), covet::UsageError);
    CHECK_THROWS_AS(unsaved.books.create(db, Book{.title = "x", .published_date = "2000-01-01", .pages = 1}),
                    covet::UsageError);
    CHECK_THROWS_AS(covet::reverse<&Profile::author>(db, unsaved), covet::UsageError);
    const std::string message = message_of([&] { db.related<Book>(unsaved, "books"); });
    CHECK(starts_with(message, "covet:"));
    CHECK(contains(message, "Author"));
    CHECK(snapshot() == before);
}
