// meta<Author>::fields names a member of another struct.
#include <covet/model.hpp>

struct Book {
    std::int64_t id = 0;
    std::string title;
};
BOOST_HANA_ADAPT_STRUCT(Book, id, title);
struct Author {
    std::int64_t id = 0;
    std::string name;
};
BOOST_HANA_ADAPT_STRUCT(Author, id, name);
template <>
struct covet::meta<Author> {
    static constexpr auto fields = covet::fields(covet::field<&Book::title>{.max_length = 10});
};

int main() { return static_cast<int>(covet::model_info<Author>().columns.size()); }
