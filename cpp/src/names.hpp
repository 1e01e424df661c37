// Name helpers shared by the C++ layer's sources (not installed).
#pragma once

#include <string>
#include <string_view>

namespace covet::detail {

// SQLite compares identifiers with ASCII case folding: so do covet's lookups by table name.
inline std::string ascii_lower(std::string_view text) {
    std::string out(text);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

}  // namespace covet::detail
