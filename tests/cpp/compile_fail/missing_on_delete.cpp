// A ForeignKey without .on_delete: Django requires it, and so does covet.
#include <covet/covet.hpp>

struct Author {
    std::int64_t id = 0;
};
BOOST_HANA_ADAPT_STRUCT(Author, id);
struct Book {
    std::int64_t id = 0;
    covet::ForeignKey<Author, {.related_name = "books"}> author{};
};
BOOST_HANA_ADAPT_STRUCT(Book, id, author);

int main() { return static_cast<int>(covet::model_info<Book>().columns.size()); }
