// Queries across relations (queryset.hpp, sql_printer.hpp): select_related, prefetch_related,
// filters, ordering and aggregates through relations, and the N+1 guard. Query counts are exact.
#include "library_fixture.hpp"

#include <covet/covet.hpp>
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <tuple>
#include <vector>

using namespace library;


// A model whose primary key is text: its relation members keep that key off the integer path.
namespace shelved {
struct Volume;
struct Shelf {
    std::string code{};
    std::string room{};
    covet::ReverseMany<Volume> volumes{};
};
struct Volume {
    std::int64_t id = 0;
    std::string title{};
    covet::ForeignKey<Shelf, {.on_delete = covet::Cascade, .related_name = "volumes"}, std::string> shelf{};
};
}  // namespace shelved
BOOST_HANA_ADAPT_STRUCT(shelved::Shelf, code, room, volumes);
BOOST_HANA_ADAPT_STRUCT(shelved::Volume, id, title, shelf);
template <>
struct covet::meta<shelved::Shelf> {
    static constexpr auto table = "shelves";
    static constexpr auto primary_key = &shelved::Shelf::code;
};
template <>
struct covet::meta<shelved::Volume> {
    static constexpr auto table = "volumes";
};

namespace {
template <class Set>
std::vector<std::string> titles(const Set& set) {
    std::vector<std::string> out;
    for (const Book& b : set) out.push_back(b.title);
    return out;
}
}  // namespace

TEST_CASE_FIXTURE(Library, "test_select_related: one query, no further query when reading the relations") {
    std::vector<std::string> seen;
    CHECK(queries([&] {
              for (const Book& b : db.objects<Book>().select_related<&Book::author>())
                  seen.push_back(b.title + " by " + b.author->name);
          }) == 1);
    CHECK(seen == std::vector<std::string>{"SPQR by Bob", "Dune by Ann", "Emma by Ann"});
    // A chain: the author and the author's profile (a reverse OneToOne, LEFT JOINed: Bob has none).
    std::vector<std::string> bios;
    CHECK(queries([&] {
              for (const Book& b : db.objects<Book>().select_related<&Book::author, &Author::profile>())
                  bios.push_back(b.author->profile.optional() ? b.author->profile->bio : "-");
          }) == 1);
    CHECK(bios == std::vector<std::string>{"-", "Ann's bio", "Ann's bio"});
    const std::string sql = db.objects<Book>().select_related("author__profile").sql().text;
    CHECK(sql.find("JOIN \"authors\" AS \"T1\" ON \"T1\".\"id\" = \"books\".\"author_id\"") != std::string::npos);
    CHECK(sql.find("LEFT JOIN \"profiles\" AS \"T2\" ON \"T2\".\"author_id\" = \"T1\".\"id\"") != std::string::npos);
    CHECK(sql.find(" JOIN \"authors\"") < sql.find("LEFT JOIN"));  // authors: INNER (author is NOT NULL)
}

TEST_CASE_FIXTURE(Library, "select_related after a nullable hop: LEFT JOIN, an empty relation stays empty") {
    std::vector<std::string> parents;
    CHECK(queries([&] {
              for (const Category& c : db.objects<Category>().select_related("parent").order_by("id"))
                  parents.push_back(c.parent ? c.parent->name : "(none)");
          }) == 1);
    CHECK(parents == std::vector<std::string>{"(none)", "Fiction", "(none)"});
    CHECK(db.objects<Category>().select_related("parent").sql().text.find("LEFT JOIN \"categories\" AS \"T1\"") !=
          std::string::npos);
    // get(), first() and to_vector() read the same way.
    Category sf_loaded = db.objects<Category>().select_related("parent").get("name", "SF");
    CHECK(queries([&] { CHECK(sf_loaded.parent->name == "Fiction"); }) == 0);
}

TEST_CASE_FIXTURE(Library, "select_related refuses what relates several objects, and names the mistake") {
    CHECK(message_of([&] { (void)db.objects<Book>().select_related("categories"); }) ==
          "covet: select_related('categories'): Book.categories relates several Category objects; use "
          "prefetch_related");
    CHECK(message_of([&] { (void)db.objects<Book>().select_related("title"); }) ==
          "covet: select_related('title'): Book.title is not a relation");
    CHECK(message_of([&] { (void)db.objects<Book>().select_related("auther"); })
              .starts_with("covet: Book has no field 'auther' (fields: id, title, author, published_date, pages; "
                           "relations: author, categories"));
}

TEST_CASE_FIXTURE(Library, "test_prefetch_related: one query per relation, whatever the number of parents") {
    for (int i = 0; i < 50; ++i)
        db.create(Author{.name = "A" + std::to_string(i), .email = "a" + std::to_string(i) + "@x.org"});
    std::int64_t total = 0;
    CHECK(queries([&] {
              for (const Author& a : db.objects<Author>().prefetch_related("books")) total += a.books.count();
          }) == 2);
    CHECK(total == 3);
    // Two relations: three queries; the cache serves all(), count() and exists().
    std::vector<std::string> seen;
    CHECK(queries([&] {
              for (const Author& a : db.objects<Author>().prefetch_related("books", "profile").order_by("id").limit(3)) {
                  seen.push_back(a.name + ":" + std::to_string(a.books.all().size()) + ":" +
                                 (a.books.exists() ? "y" : "n") + ":" + (a.profile.optional() ? "p" : "-"));
              }
          }) == 3);
    CHECK(seen == std::vector<std::string>{"Ann:2:y:p", "Bob:1:y:-", "Cid:0:n:p"});
}

TEST_CASE_FIXTURE(Library, "prefetch_related: M2M both ways, chains, filter() queries again") {
    std::vector<Book> books;
    CHECK(queries([&] { books = db.objects<Book>().prefetch_related<&Book::categories>().to_vector(); }) == 2);
    CHECK(queries([&] {
              CHECK(books[1].title == "Dune");
              CHECK(books[1].categories.count() == 2);
              CHECK(books[1].categories.all()[0].name == "Fiction");  // in Category's order (by id here)
          }) == 0);
    CHECK(queries([&] { CHECK(books[1].categories.filter("name", "SF").count() == 1); }) == 1);
    // The reverse ManyToMany, and a chain through a reverse ForeignKey and a ManyToMany.
    CHECK(queries([&] {
              const auto cats = db.objects<Category>().prefetch_related("books").order_by("id").to_vector();
              CHECK(cats[0].books.count() == 2);
              CHECK(cats[2].books.all()[0].title == "SPQR");
          }) == 2);
    std::vector<std::string> seen;
    CHECK(queries([&] {
              for (const Book& b : db.objects<Book>().prefetch_related("author__books__categories"))
                  for (const Book& other : b.author->books.all())
                      seen.push_back(b.title + ">" + other.title + ":" + std::to_string(other.categories.count()));
          }) == 4);
    std::sort(seen.begin(), seen.end());
    CHECK(seen == std::vector<std::string>{"Dune>Dune:2", "Dune>Emma:1", "Emma>Dune:2", "Emma>Emma:1", "SPQR>SPQR:1"});
}

TEST_CASE_FIXTURE(Library, "prefetch_related reads the relation the database holds; one it lost is a clear error") {
    // Unregistered behind covet's back (the triggers go with the row): the prefetch names it.
    db.execute("DELETE FROM covet_relations WHERE name = 'books.author'");
    try {
        static_cast<void>(db.objects<Author>().prefetch_related("books").to_vector());
        FAIL("a prefetch of a relation the database does not have");
    } catch (const covet::Error& e) {
        CHECK(std::string(e.what()).starts_with("covet: covet_related_sql(): no relation named 'authors.books'"));
    }
    // Registered again (as migrate does): prefetched again, with no stale resolution.
    db.migrate<Author, Profile, Category, Book>();
    std::int64_t total = 0;
    CHECK(queries([&] {
              for (const Author& a : db.objects<Author>().prefetch_related("books")) total += a.books.count();
          }) == 2);
    CHECK(total == 3);
}

TEST_CASE_FIXTURE(Library, "covet::Prefetch: its own query and to_attr") {
    const auto authors =
        db.objects<Author>()
            .order_by("id")
            .prefetch_related(covet::Prefetch("books", db.objects<Book>().filter("pages__gte", 400).order_by("-pages")))
            .to_vector();
    CHECK(authors[0].books.count() == 1);  // only Dune
    CHECK(authors[1].books.all()[0].title == "SPQR");
    // to_attr: a covet::Prefetched<Book> member gets the filtered list; the relation's cache is left alone.
    std::vector<Author> with_long;
    CHECK(queries([&] {
              with_long = db.objects<Author>()
                              .order_by("id")
                              .prefetch_related(covet::Prefetch("books", db.objects<Book>().filter("pages__gte", 400),
                                                                "long_books"))
                              .to_vector();
          }) == 2);
    CHECK(with_long[0].long_books.size() == 1);
    CHECK(with_long[0].long_books[0].title == "Dune");
    CHECK(with_long[2].long_books.empty());
    CHECK_FALSE(with_long[0].books.is_cached());
    CHECK(queries([&] { CHECK(with_long[0].books.count() == 2); }) == 1);
    CHECK(message_of([&] {
              (void)db.objects<Author>()
                  .prefetch_related(covet::Prefetch("books", db.objects<Book>(), "short_books"))
                  .to_vector();
          }) == "covet: Prefetch(\"books\", ..., \"short_books\"): Author has no covet::Prefetched<Book> member named "
                "short_books");
    CHECK(message_of([&] { (void)db.objects<Author>().prefetch_related(covet::Prefetch("books", db.objects<Category>())); }) ==
          "covet: Prefetch('books'): the query is on Category, the relation leads to Book");
    CHECK(message_of([&] { (void)db.objects<Author>().prefetch_related("bookz"); })
              .starts_with("covet: Author has no relation 'bookz' (relations: "));
}

TEST_CASE_FIXTURE(Library, "filters across relations: forward, ManyToMany, reverse; typed paths") {
    CHECK(titles(db.objects<Book>().filter("author__email__icontains", "EXAMPLE.com").order_by("title")) ==
          std::vector<std::string>{"Dune", "Emma"});
    CHECK(titles(db.objects<Book>().filter(covet::f<&Book::author, &Author::email>.icontains("mail.net"))) ==
          std::vector<std::string>{"SPQR"});
    CHECK(titles(db.objects<Book>().filter("categories__name", "Fiction").order_by("title")) ==
          std::vector<std::string>{"Dune", "Emma"});
    CHECK(titles(db.objects<Book>().filter("categories", sf.id)) == std::vector<std::string>{"Dune"});
    CHECK(titles(db.objects<Book>().filter("author", bob.id)) == std::vector<std::string>{"SPQR"});
    CHECK(titles(db.objects<Book>().filter("author__profile__bio__startswith", "Ann")).size() == 2);
    // The seed's complex query, with the row-multiplying join made DISTINCT.
    const auto qs = db.objects<Book>()
                        .filter("author__email__icontains", "example.com")
                        .filter("pages__gte", 300)
                        .filter("categories__name__in", std::vector<std::string>{"Fiction", "SF"});
    CHECK(qs.sql().text.starts_with("SELECT DISTINCT "));
    CHECK(titles(qs.order_by("title")) == std::vector<std::string>{"Dune", "Emma"});
    CHECK(qs.count() == 2);  // Dune has both categories: counted once
    CHECK(qs.exists());
    // Reverse relations from the other side.
    std::vector<std::string> names;
    for (const Author& a : db.objects<Author>().filter("books__pages__gte", 400).order_by("name")) names.push_back(a.name);
    CHECK(names == std::vector<std::string>{"Ann", "Bob"});
    CHECK(db.objects<Category>().filter("books__author__name", "Ann").count() == 2);
    CHECK(db.objects<Author>().filter("profile__isnull", true).get().name == "Bob");
}

TEST_CASE_FIXTURE(Library, "multi-valued relations: one filter() call is one related row, two calls are two") {
    // Dune is in Fiction and SF: no single category is named both, but two calls may match two rows.
    CHECK(db.objects<Book>().filter(covet::Q("categories__name", "Fiction") && covet::Q("categories__name", "SF")).count() == 0);
    CHECK(titles(db.objects<Book>().filter("categories__name", "Fiction").filter("categories__name", "SF")) ==
          std::vector<std::string>{"Dune"});
}

TEST_CASE_FIXTURE(Library, "exclude and OR across relations keep Django's meaning") {
    // exclude(): every book that has such a category is excluded (a subquery, not a join).
    CHECK(titles(db.objects<Book>().exclude("categories__name", "SF").order_by("title")) ==
          std::vector<std::string>{"Emma", "SPQR"});
    const Book bare = db.create(Book{.title = "Bare", .author = cid, .published_date = "2000-01-01", .pages = 10});
    CHECK(titles(db.objects<Book>().exclude("categories__name", "SF").order_by("title")) ==
          std::vector<std::string>{"Bare", "Emma", "SPQR"});
    // OR: a book without categories still matches the other side (a LEFT JOIN).
    CHECK(titles(db.objects<Book>().filter(covet::Q("categories__name", "History") || covet::Q("pages__lt", 100))
                     .order_by("title")) == std::vector<std::string>{"Bare", "SPQR"});
    // Nullable forward relation under NOT: rows without a parent are kept, as Django.
    std::vector<std::string> names;
    for (const Category& c : db.objects<Category>().exclude("parent__name", "Fiction").order_by("id")) names.push_back(c.name);
    CHECK(names == std::vector<std::string>{"Fiction", "History"});
    CHECK(db.objects<Category>().filter("parent__name__isnull", true).count() == 2);
    (void)bare;
}

TEST_CASE_FIXTURE(Library, "ordering across relations; many-valued ordering is refused") {
    CHECK(titles(db.objects<Book>().order_by("author__name", "-pages")) == std::vector<std::string>{"Dune", "Emma", "SPQR"});
    CHECK(titles(db.objects<Book>().order_by(-covet::f<&Book::author, &Author::name>, covet::f<&Book::title>)) ==
          std::vector<std::string>{"SPQR", "Dune", "Emma"});
    CHECK(message_of([&] { (void)db.objects<Author>().order_by("books__pages"); }) ==
          "covet: cannot order Author by 'books__pages': it crosses a relation to several objects (annotate an "
          "aggregate of it and order by that)");
}

TEST_CASE_FIXTURE(Library, "aggregates across relations: books per author, pages per category") {
    std::vector<std::tuple<std::string, std::int64_t>> per_author;
    for (const auto& row : db.objects<Author>().values<&Author::name>().annotate(covet::count<&Book::author>()).order_by("name"))
        per_author.push_back(row);
    CHECK(per_author == std::vector<std::tuple<std::string, std::int64_t>>{{"Ann", 2}, {"Bob", 1}, {"Cid", 0}});
    std::vector<std::tuple<std::string, covet::Value>> pages;
    for (const auto& row :
         db.objects<Category>().values<&Category::name>().annotate(covet::Sum("books__pages")).order_by("name"))
        pages.push_back(row);
    CHECK(pages == std::vector<std::tuple<std::string, covet::Value>>{{"Fiction", covet::Value{std::int64_t{712}}},
                                                                     {"History", covet::Value{std::int64_t{608}}},
                                                                     {"SF", covet::Value{std::int64_t{412}}}});
    CHECK(db.objects<Book>().filter("categories__name", "Fiction").aggregate(covet::Count())["count"] ==
          covet::Value{std::int64_t{2}});
}

TEST_CASE_FIXTURE(Library, "update() and remove() of a query that crosses relations") {
    CHECK(db.objects<Book>().filter("author__name", "Ann").update(covet::f<&Book::pages> = 1) == 2);
    CHECK(db.objects<Book>().filter("pages", 1).count() == 2);
    const covet::DeleteResult r = db.objects<Book>().filter("categories__name", "Fiction").remove();
    CHECK(r.total == 5);
    CHECK(r.per_table == std::map<std::string, std::int64_t>{{"books", 2}, {"books_categories", 3}});
}

TEST_CASE_FIXTURE(Library, "the N+1 guard names the relation and suggests the fix") {
    for (int i = 0; i < 5; ++i) {
        const Author a = db.create(Author{.name = "A" + std::to_string(i), .email = "a" + std::to_string(i) + "@x.org"});
        db.create(Book{.title = "B" + std::to_string(i), .author = a, .published_date = "2001-01-0" + std::to_string(i + 1)});
    }
    db.guard_lazy_loads(3, covet::LazyLoadAction::Raise);
    const std::string message = message_of([&] {
        for (const Book& b : db.objects<Book>()) (void)b.author->name;
    });
    CHECK(message ==
          "covet: N+1 queries: Book.author was loaded lazily 4 times for the objects of one query (limit 3); load it "
          "with the query: select_related(\"author\") or prefetch_related(\"author\")");
    CHECK_THROWS_AS(
        [&] {
            for (const Author& a : db.objects<Author>())
                for (int i = 0; i < 2; ++i) (void)a.books.count();
        }(),
        covet::UsageError);
    // The fixes run without complaint; so do lazy loads of objects not read by one query.
    for (const Book& b : db.objects<Book>().select_related("author")) (void)b.author->name;
    for (int i = 0; i < 10; ++i) (void)db.get<Book>(dune.id).author->name;
    // Warn mode reports once per query evaluation and relation, through the hook.
    std::vector<std::string> warnings;
    db.guard_lazy_loads(2, covet::LazyLoadAction::Warn);
    db.on_warning([&](std::string_view w) { warnings.emplace_back(w); });
    for (const Book& b : db.objects<Book>()) (void)b.author->name;
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0].find("Book.author was loaded lazily 3 times") != std::string::npos);
    db.guard_lazy_loads(0);
    for (const Book& b : db.objects<Book>()) (void)b.author->name;
    CHECK(warnings.size() == 1);
}

TEST_CASE_FIXTURE(Library, "deletes through the C++ layer cascade as Django's and report per-table counts") {
    Author a = db.get<Author>(ann.id);
    const covet::DeleteResult r = db.remove(a);
    CHECK(r.total == 7);
    CHECK(r.per_table == std::map<std::string, std::int64_t>{
                             {"authors", 1}, {"books", 2}, {"books_categories", 3}, {"profiles", 1}});
    CHECK(r.per_model(db) == std::map<std::string, std::int64_t>{
                                 {"Author", 1}, {"Book", 2}, {"Book_categories", 3}, {"Profile", 1}});
    CHECK(db.objects<Book>().count() == 1);
}

TEST_CASE("relation members of an object with a text primary key: the key goes with copies and moves") {
    using namespace shelved;
    covet::Database db{":memory:"};
    db.migrate<Shelf, Volume>();
    db.create(Shelf{.code = "A1", .room = "north"});
    db.create(Shelf{.code = "B2", .room = "south"});
    db.create(Volume{.title = "Dune", .shelf = std::string("A1")});
    db.create(Volume{.title = "Emma", .shelf = std::string("A1")});
    const std::vector<Shelf> prefetched = db.objects<Shelf>().order_by("code").prefetch_related("volumes").to_vector();
    REQUIRE(prefetched.size() == 2);
    CHECK(prefetched[0].volumes.count() == 2);
    CHECK(prefetched[1].volumes.count() == 0);
    // Lazily: each member queries with its owner's key, in a copy and after a move as well.
    std::vector<Shelf> lazy = db.objects<Shelf>().order_by("code").to_vector();
    Shelf copy = lazy[0];
    Shelf moved = std::move(lazy[1]);
    CHECK(copy.volumes.count() == 2);
    CHECK(copy.volumes.filter("title", "Dune").count() == 1);
    CHECK(moved.volumes.count() == 0);
    copy = moved;
    CHECK(copy.volumes.count() == 0);
    CHECK(lazy[0].volumes.count() == 2);
}
