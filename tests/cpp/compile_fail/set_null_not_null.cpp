// on_delete = SetNull on a key that cannot be NULL.
#include <covet/covet.hpp>

struct Author {
    std::int64_t id = 0;
};
BOOST_HANA_ADAPT_STRUCT(Author, id);
struct Book {
    std::int64_t id = 0;
    covet::ForeignKey<Author, {.on_delete = covet::SetNull}> author{};
};
BOOST_HANA_ADAPT_STRUCT(Book, id, author);

int main() { return static_cast<int>(covet::model_info<Book>().columns.size()); }
