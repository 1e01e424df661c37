// A member pointer to a member that BOOST_HANA_ADAPT_STRUCT does not list.
#include <covet/model.hpp>

struct Author {
    std::int64_t id = 0;
    std::string name;
    std::string secret;
};
BOOST_HANA_ADAPT_STRUCT(Author, id, name);

int main() { return static_cast<int>(covet::column_of<&Author::secret>().name.size()); }
