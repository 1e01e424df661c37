// The seed's "Complete Example" in C++: Django's library models (examples/library_models.hpp) on
// SQLite with covet. It creates a fresh database, adds an author with a profile, categories and
// books, then shows, with the number of SQL queries each step ran:
//   lazy loading (forward ForeignKey, reverse ForeignKey, reverse OneToOne, ManyToMany),
//   select_related (one JOIN query), prefetch_related (one query per relation),
//   filters across relations, a CASCADE delete with its per-table counts, and a PROTECT refusal.
//
// Run it:   ninja -C build demo            (the SQL demo, then this program)
//           build/examples/library [path]  (default: library.db, deleted first)
// Then look at the database it leaves, with covet's triggers in it:
//           sqlite3 library.db '.load build/ext/covet' 'SELECT * FROM covet_relations'
#include "library_models.hpp"

#include <fmt/core.h>
#include <fmt/ranges.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

using namespace library;
using covet::f;

namespace {

// Runs body() and prints the number of queries it ran. A body returning a string prints
// "what = result [n queries]" on one line; a body printing rows of its own gets "what:" above them.
template <class F>
void step(covet::Database& db, std::string_view what, F&& body) {
    const std::int64_t before = db.query_count();
    std::string result;
    if constexpr (std::is_void_v<std::invoke_result_t<F&>>) {
        fmt::print("  {}:\n", what);
        body();
    } else {
        result = fmt::format("  {} = {}", what, body());
    }
    const std::int64_t n = db.query_count() - before;
    fmt::print("{}  [{} {}]\n", result, n, n == 1 ? "query" : "queries");
}

std::vector<std::string> names(const std::vector<Category>& categories) {
    std::vector<std::string> out;
    for (const Category& c : categories) out.push_back(c.name);
    return out;
}

std::int64_t rows(covet::Database& db, const char* table) {
    return std::get<std::int64_t>(db.query_value(fmt::format("SELECT count(*) FROM {}", table)));
}

void print_counts(covet::Database& db) {
    fmt::print("  rows: authors {}, profiles {}, books {}, books_categories {}, loans {}\n", rows(db, "authors"),
               rows(db, "profiles"), rows(db, "books"), rows(db, "books_categories"), rows(db, "loans"));
}

}  // namespace

int main(int argc, char** argv) {
    const std::string path = argc > 1 ? argv[1] : "library.db";
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);

    covet::Database db{path};
    db.migrate<Author, Profile, Category, Book, Loan>();  // tables, junction table, relations

    fmt::print("covet C++ demo: the library with ForeignKey, OneToOne and ManyToMany members\n");
    fmt::print("==========================================================================\n\n");
    fmt::print("== Creating the library\n");
    const Author john = db.create(Author{.name = "John Doe", .email = "john@example.com"});
    db.create(Profile{.author = john, .bio = "Award-winning author", .website = "https://johndoe.com"});
    const Category fiction = db.create(Category{.name = "Fiction"});
    const Category scifi = db.create(Category{.name = "Science Fiction"});
    const Book book =
        db.create(Book{.title = "Future Worlds", .author = john, .published_date = "2023-01-15", .pages = 350});
    step(db, "book.categories.add(fiction, scifi); count", [&] {
        book.categories.add(fiction, scifi);  // idempotent: pairs already there are left alone
        return std::to_string(book.categories.count());
    });
    // One more book by John, and a second author, so that the queries below have a choice.
    const Book tales =
        db.create(Book{.title = "Short Tales", .author = john, .published_date = "2021-06-01", .pages = 120});
    tales.categories.add(fiction);
    const Author jane = db.create(Author{.name = "Jane Roe", .email = "jane@books.org"});
    const Book deep =
        db.create(Book{.title = "Deep Space", .author = jane, .published_date = "2022-03-10", .pages = 420});
    deep.categories.add(scifi.id);  // keys work as well as objects
    db.create(Loan{.book = deep, .borrower = "Dana"});
    print_counts(db);

    fmt::print("\n== Lazy loading: a related object is read on first access, then cached\n");
    Book b = db.get<Book>(book.id);
    Author a = db.get<Author>(john.id);
    step(db, "book.author.id()", [&] { return std::to_string(b.author.id()); });  // the key: no query
    step(db, "book.author->name", [&] { return b.author->name; });
    step(db, "book.author->name (cached)", [&] { return b.author->name; });
    step(db, "author.books.all().size()", [&] { return std::to_string(a.books.all().size()); });
    step(db, "author.profile->bio", [&] { return a.profile->bio; });
    step(db, "book.categories.all()", [&] { return fmt::format("{}", names(b.categories.all())); });

    fmt::print("\n== select_related: the author comes in the same query (a JOIN)\n");
    step(db, "db.objects<Book>().select_related<&Book::author>()", [&] {
        for (const Book& x : db.objects<Book>().select_related<&Book::author>())
            fmt::print("    {:<14} by {}\n", x.title, x.author->name);
    });

    fmt::print("\n== prefetch_related: one query for the objects, one per relation\n");
    step(db, "db.objects<Author>().prefetch_related(\"books\")", [&] {
        for (const Author& x : db.objects<Author>().order_by("name").prefetch_related("books")) {
            std::vector<std::string> titles;
            for (const Book& y : x.books.all()) titles.push_back(y.title);
            fmt::print("    {:<9} {}\n", x.name, titles);
        }
    });
    step(db, "db.objects<Book>().prefetch_related(\"categories\", \"author__profile\")", [&] {
        for (const Book& x : db.objects<Book>().prefetch_related("categories", "author__profile")) {
            const auto profile = x.author->profile.optional();
            const std::string website = profile ? profile->website : "no profile";
            fmt::print("    {:<14} {}, {}\n", x.title, names(x.categories.all()), website);
        }
    });

    fmt::print("\n== Filters across relations\n");
    step(db, "books of 300+ pages by authors at example.com, with select_related and prefetch_related", [&] {
        const auto found = db.objects<Book>()
                               .filter("author__email__icontains", "example.com")
                               .filter("pages__gte", 300)
                               .select_related("author")
                               .prefetch_related("categories");
        for (const Book& x : found)
            fmt::print("    {} by {}, {} pages, {}\n", x.title, x.author->name, x.pages, names(x.categories.all()));
    });
    step(db, "db.objects<Book>().filter(f<&Book::categories, &Category::name> == \"Science Fiction\").count()", [&] {
        const auto sf = db.objects<Book>().filter(f<&Book::categories, &Category::name> == "Science Fiction");
        return std::to_string(sf.count());
    });
    step(db, "db.objects<Author>().filter(\"books__pages__gte\", 400)", [&] {
        for (const Author& x : db.objects<Author>().filter("books__pages__gte", 400)) fmt::print("    {}\n", x.name);
    });
    step(db, "books per author: values<&Author::name>().annotate(covet::count<&Book::author>())", [&] {
        const auto per_author = db.objects<Author>().values<&Author::name>().annotate(covet::count<&Book::author>());
        for (const auto& [name, n] : per_author.order_by("name")) fmt::print("    {}: {}\n", name, n);
    });

    fmt::print("\n== CASCADE: deleting John deletes his profile, his books and their category links\n");
    const covet::DeleteResult deleted = db.remove(john);
    fmt::print("  db.remove(john): total {}, per table {}\n", deleted.total, deleted.per_table);
    print_counts(db);
    fmt::print("  b.author still holds the deleted author (no query): {}\n", b.author->name);
    try {
        db.refresh(b);
    } catch (const covet::DoesNotExist&) {
        fmt::print("  db.refresh(b): covet::DoesNotExist, the book is gone too\n");
    }

    fmt::print("\n== PROTECT: Jane's book is on loan, so deleting Jane is refused\n");
    try {
        db.remove(jane);
        fmt::print("  not refused: a bug\n");
        return 1;
    } catch (const covet::ProtectedError& e) {
        fmt::print("  covet::ProtectedError, blocking_objects() = {}\n", e.blocking_objects());
    }
    print_counts(db);
    fmt::print("  nothing was deleted. Once the book is returned, Jane can go:\n");
    db.objects<Loan>().filter(f<&Loan::book> == deep).remove();
    const covet::DeleteResult gone = db.remove(jane);
    fmt::print("  db.remove(jane): total {}, per table {}\n", gone.total, gone.per_table);
    return 0;
}
