// Compile-time probe (issue 6, "C"): the seed's four models with their relations
// (examples/library_models.hpp, which adds Loan) in one translation unit, and one query of each kind. Target: under 5 s at -O0. The bench harness
// compiles it (bench --only C); the test suite builds and runs it so that it keeps working.
#include "../../examples/library_models.hpp"

#include <covet/covet.hpp>

#include <cstdint>

using namespace library;

int main() {
    covet::Database db{":memory:"};
    db.migrate<Author, Profile, Category, Book>();
    const Author ann = db.create(Author{.name = "Ann", .email = "ann@example.com"});
    db.create(Profile{.author = ann, .bio = "bio", .website = "https://ann.example.com"});
    const Category fiction = db.create(Category{.name = "Fiction"});
    Book book = db.create(Book{.title = "Dune", .author = ann, .published_date = "1965-08-01", .pages = 412});
    book.categories.add(db, fiction);
    std::int64_t checks = 0;
    checks += db.get<Book>(book.id).author->name == "Ann";                                  // lazy forward
    checks += covet::reverse<&Book::author>(db, ann).count() == 1;                          // reverse manager
    checks += db.get<Author>(ann.id).profile->bio == "bio";                                 // reverse one-to-one
    checks += book.categories.all().size() == 1;                                            // many-to-many
    for (const Book& b : db.objects<Book>().select_related<&Book::author, &Author::profile>())
        checks += b.author->profile->bio == "bio";                                          // select_related
    for (const Author& a : db.objects<Author>().prefetch_related("books__categories"))
        checks += a.books.count() == 1;                                                     // prefetch_related
    checks += db.objects<Book>()
                  .filter(covet::f<&Book::author, &Author::email>.icontains("example") && covet::f<&Book::pages> >= 300)
                  .filter("categories__name", "Fiction")
                  .count() == 1;                                                            // across relations
    for (const auto& [name, n] : db.objects<Author>().values<&Author::name>().annotate(covet::count<&Book::author>()))
        checks += name == "Ann" && n == 1;                                                  // aggregate
    checks += db.remove(ann).total == 4;                                                    // cascade delete
    return checks == 9 ? 0 : 1;
}
