// A member whose type cannot be stored: the static_assert names the struct, the member and the type.
#include <covet/model.hpp>

#include <map>

struct Bad {
    std::int64_t id = 0;
    std::map<int, int> tags;
};
BOOST_HANA_ADAPT_STRUCT(Bad, id, tags);

int main() { return static_cast<int>(covet::model_info<Bad>().columns.size()); }
