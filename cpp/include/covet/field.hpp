// covet::field_traits<T>: how one C++ field type is stored in a SQLite column. Each supported type
// has a specialization with
//     static constexpr bool supported = true;
//     static constexpr ColumnType type;          // the column's declared type
//     static constexpr bool nullable;            // std::optional<...>
//     static void bind(sqlite3_stmt*, int index, const T&);   // by reference where SQLite allows it
//     static T read(sqlite3_stmt*, int column);                // throws on NULL / out of range
//     static Value to_value(const T&);
//     static T from_value(const Value&);
// Supported: every integer type, bool, float, double, std::string, covet::Blob, enums (integer, or
// text when covet::enum_names<E> names them), std::chrono::sys_time<D> (ISO-8601 text,
// "2024-01-31 12:34:56[.fraction]"; sys_days as "2024-01-31"), std::chrono::year_month_day
// ("2024-01-31"), and std::optional of each (nullable). Everything non-template lives in
// cpp/src/model_info.cpp.
#pragma once

#include <covet/model_info.hpp>
#include <covet/value.hpp>

#include <sqlite3.h>

#include <array>
#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <ratio>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace covet {

// Enums stored as text: specialize with the names, either indexed by value (0, 1, 2, ...)
//     template <> struct covet::enum_names<Color> {
//         static constexpr std::array names{"red", "green", "blue"};
//     };
// or as (value, name) pairs for enums with other values
//     static constexpr std::array names{std::pair{Level::Low, "low"}, std::pair{Level::High, "high"}};
// Without a specialization an enum is stored as its integer value.
template <class E>
struct enum_names {};

template <class T>
struct field_traits {
    static constexpr bool supported = false;
};

namespace detail {

// Non-template helpers (model_info.cpp). They throw covet::ValidationError for numbers that do
// not fit, NULL in a non-null field and unreadable text.
[[noreturn]] void throw_out_of_range(std::string message);
[[noreturn]] void throw_invalid(std::string message);
void check_bind(sqlite3_stmt* stmt, int rc);
void bind_null(sqlite3_stmt* stmt, int index);
void bind_int64(sqlite3_stmt* stmt, int index, std::int64_t value);
void bind_uint64(sqlite3_stmt* stmt, int index, std::uint64_t value);  // refuses > INT64_MAX
void bind_double(sqlite3_stmt* stmt, int index, double value);
void bind_text(sqlite3_stmt* stmt, int index, std::string_view text);  // SQLITE_STATIC
void bind_text_copy(sqlite3_stmt* stmt, int index, std::string_view text);  // SQLITE_TRANSIENT
void bind_blob(sqlite3_stmt* stmt, int index, const Blob& blob);  // SQLITE_STATIC
bool is_null(sqlite3_stmt* stmt, int column);
std::int64_t read_integer(sqlite3_stmt* stmt, int column, std::int64_t min, std::int64_t max);
std::optional<std::int64_t> read_optional_integer(sqlite3_stmt* stmt, int column, std::int64_t min, std::int64_t max);
std::uint64_t read_unsigned(sqlite3_stmt* stmt, int column, std::uint64_t max);
double read_real(sqlite3_stmt* stmt, int column);
std::string read_text(sqlite3_stmt* stmt, int column);
std::string_view read_text_view(sqlite3_stmt* stmt, int column);  // valid until the next step
Blob read_blob(sqlite3_stmt* stmt, int column);
std::int64_t value_integer(const Value& value, std::int64_t min, std::int64_t max);
std::uint64_t value_unsigned(const Value& value, std::uint64_t max);
double value_real(const Value& value);
const std::string& value_text(const Value& value);
const Blob& value_blob(const Value& value);

// ISO-8601 text. `fraction` is in units of 10^-digits seconds; digits 0..9, 0 and a zero fraction
// print no fraction. Returns the length written (at most 32 characters, no terminator).
std::size_t format_datetime(char* out, std::int64_t seconds, std::int64_t fraction, int digits);
std::size_t format_date(char* out, std::int64_t days_since_epoch);
// Accepts "YYYY-MM-DD", "YYYY-MM-DD HH:MM", "YYYY-MM-DD HH:MM:SS[.fff...]" (' ' or 'T'), with an
// optional trailing 'Z'. Throws covet::ValidationError otherwise.
void parse_datetime(std::string_view text, std::int64_t& seconds, std::int64_t& nanoseconds);

// Enum names: `names`/`values` are parallel arrays.
std::int64_t enum_value(std::string_view name, const std::string_view* names, const std::int64_t* values,
                        std::size_t count);
std::string_view enum_name(std::int64_t value, const std::string_view* names, const std::int64_t* values,
                           std::size_t count);

template <class T>
inline constexpr bool is_optional = false;
template <class T>
inline constexpr bool is_optional<std::optional<T>> = true;

template <class E>
concept named_enum = std::is_enum_v<E> && requires { std::size(enum_names<E>::names); };

template <class E>
struct enum_table {
    static constexpr std::size_t count = std::size(enum_names<E>::names);
    static constexpr auto make() {
        std::pair<std::array<std::string_view, count>, std::array<std::int64_t, count>> t{};
        std::size_t i = 0;
        for (const auto& entry : enum_names<E>::names) {
            if constexpr (std::is_convertible_v<decltype(entry), std::string_view>) {
                t.first[i] = entry;
                t.second[i] = static_cast<std::int64_t>(i);
            } else {
                t.first[i] = entry.second;
                t.second[i] = static_cast<std::int64_t>(entry.first);
            }
            ++i;
        }
        return t;
    }
    static constexpr auto table = make();
};

template <class D>
constexpr int fraction_digits() {
    using P = typename D::period;
    if constexpr (std::ratio_greater_equal_v<P, std::ratio<1>>) {
        return 0;
    } else if constexpr (P::num == 1 && P::den == 10) {
        return 1;
    } else if constexpr (P::num == 1 && P::den == 100) {
        return 2;
    } else if constexpr (P::num == 1 && P::den == 1000) {
        return 3;
    } else if constexpr (P::num == 1 && P::den == 1000000) {
        return 6;
    } else {
        return 9;  // anything else is written in nanoseconds
    }
}

}  // namespace detail

// Integers of every width (bool is separate). uint64 values above INT64_MAX are refused.
template <std::integral T>
    requires(!std::same_as<T, bool>)
struct field_traits<T> {
    static constexpr bool supported = true;
    static constexpr ColumnType type = ColumnType::Integer;
    static constexpr bool nullable = false;
    static constexpr bool is_unsigned64 = std::is_unsigned_v<T> && sizeof(T) >= sizeof(std::int64_t);
    // The range a column's value must fit (an unsigned 64-bit field reads through read_unsigned).
    static constexpr std::int64_t min = static_cast<std::int64_t>(std::numeric_limits<T>::min());
    static constexpr std::int64_t max = is_unsigned64 ? std::numeric_limits<std::int64_t>::max()
                                                      : static_cast<std::int64_t>(std::numeric_limits<T>::max());
    static void bind(sqlite3_stmt* stmt, int index, T value) {
        if constexpr (is_unsigned64) {
            detail::bind_uint64(stmt, index, value);
        } else {
            detail::bind_int64(stmt, index, static_cast<std::int64_t>(value));
        }
    }
    static T read(sqlite3_stmt* stmt, int column) {
        if constexpr (is_unsigned64) {
            return static_cast<T>(detail::read_unsigned(stmt, column, std::numeric_limits<T>::max()));
        } else {
            return static_cast<T>(detail::read_integer(stmt, column, min, max));
        }
    }
    // A nullable column in one read of the value (std::optional<T>'s read).
    static std::optional<T> read_optional(sqlite3_stmt* stmt, int column)
        requires(!is_unsigned64)
    {
        const std::optional<std::int64_t> value = detail::read_optional_integer(stmt, column, min, max);
        return value ? std::optional<T>(static_cast<T>(*value)) : std::nullopt;
    }
    static Value to_value(T value) {
        if constexpr (is_unsigned64) {
            if (value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
                detail::throw_out_of_range("covet: unsigned value " + std::to_string(value) +
                                           " does not fit in a SQLite integer (at most 9223372036854775807)");
            }
        }
        return Value{static_cast<std::int64_t>(value)};
    }
    static T from_value(const Value& value) {
        if constexpr (is_unsigned64) {
            return static_cast<T>(detail::value_unsigned(value, std::numeric_limits<T>::max()));
        } else {
            return static_cast<T>(detail::value_integer(value, std::numeric_limits<T>::min(),
                                                        static_cast<std::int64_t>(std::numeric_limits<T>::max())));
        }
    }
};

template <>
struct field_traits<bool> {
    static constexpr bool supported = true;
    static constexpr ColumnType type = ColumnType::Integer;
    static constexpr bool nullable = false;
    static void bind(sqlite3_stmt* stmt, int index, bool value) { detail::bind_int64(stmt, index, value ? 1 : 0); }
    static bool read(sqlite3_stmt* stmt, int column) {
        return detail::read_integer(stmt, column, std::numeric_limits<std::int64_t>::min(),
                                    std::numeric_limits<std::int64_t>::max()) != 0;
    }
    static Value to_value(bool value) { return Value{std::int64_t{value ? 1 : 0}}; }
    static bool from_value(const Value& value) {
        return detail::value_integer(value, std::numeric_limits<std::int64_t>::min(),
                                     std::numeric_limits<std::int64_t>::max()) != 0;
    }
};

template <std::floating_point T>
struct field_traits<T> {
    static constexpr bool supported = true;
    static constexpr ColumnType type = ColumnType::Real;
    static constexpr bool nullable = false;
    static void bind(sqlite3_stmt* stmt, int index, T value) { detail::bind_double(stmt, index, static_cast<double>(value)); }
    static T read(sqlite3_stmt* stmt, int column) { return static_cast<T>(detail::read_real(stmt, column)); }
    static Value to_value(T value) { return Value{static_cast<double>(value)}; }
    static T from_value(const Value& value) { return static_cast<T>(detail::value_real(value)); }
};

template <>
struct field_traits<std::string> {
    static constexpr bool supported = true;
    static constexpr ColumnType type = ColumnType::Text;
    static constexpr bool nullable = false;
    // Bound by reference (SQLITE_STATIC): the string must outlive the statement's step.
    static void bind(sqlite3_stmt* stmt, int index, const std::string& value) { detail::bind_text(stmt, index, value); }
    static std::string read(sqlite3_stmt* stmt, int column) { return detail::read_text(stmt, column); }
    static Value to_value(const std::string& value) { return Value{value}; }
    static std::string from_value(const Value& value) { return detail::value_text(value); }
};

template <>
struct field_traits<Blob> {
    static constexpr bool supported = true;
    static constexpr ColumnType type = ColumnType::Blob;
    static constexpr bool nullable = false;
    static void bind(sqlite3_stmt* stmt, int index, const Blob& value) { detail::bind_blob(stmt, index, value); }
    static Blob read(sqlite3_stmt* stmt, int column) { return detail::read_blob(stmt, column); }
    static Value to_value(const Blob& value) { return Value{value}; }
    static Blob from_value(const Value& value) { return detail::value_blob(value); }
};

// Enums: text when covet::enum_names<E> names them, otherwise their integer value.
template <class E>
    requires std::is_enum_v<E>
struct field_traits<E> {
    using underlying = std::underlying_type_t<E>;
    static constexpr bool supported = field_traits<underlying>::supported;
    static constexpr bool named = detail::named_enum<E>;
    static constexpr ColumnType type = named ? ColumnType::Text : ColumnType::Integer;
    static constexpr bool nullable = false;

    static std::string_view name(E value) {
        using table = detail::enum_table<E>;
        return detail::enum_name(static_cast<std::int64_t>(value), table::table.first.data(),
                                 table::table.second.data(), table::count);
    }
    static E parse(std::string_view text) {
        using table = detail::enum_table<E>;
        return static_cast<E>(
            detail::enum_value(text, table::table.first.data(), table::table.second.data(), table::count));
    }
    static std::vector<std::string> choices() {
        if constexpr (named) {
            const auto& names = detail::enum_table<E>::table.first;
            return std::vector<std::string>(names.begin(), names.end());
        } else {
            return {};
        }
    }
    static void bind(sqlite3_stmt* stmt, int index, E value) {
        if constexpr (named) {
            detail::bind_text(stmt, index, name(value));  // names are static: SQLITE_STATIC is safe
        } else {
            field_traits<underlying>::bind(stmt, index, static_cast<underlying>(value));
        }
    }
    static E read(sqlite3_stmt* stmt, int column) {
        if constexpr (named) {
            return parse(detail::read_text_view(stmt, column));
        } else {
            return static_cast<E>(field_traits<underlying>::read(stmt, column));
        }
    }
    static Value to_value(E value) {
        if constexpr (named) {
            return Value{std::string(name(value))};
        } else {
            return field_traits<underlying>::to_value(static_cast<underlying>(value));
        }
    }
    static E from_value(const Value& value) {
        if constexpr (named) {
            return parse(detail::value_text(value));
        } else {
            return static_cast<E>(field_traits<underlying>::from_value(value));
        }
    }
};

// std::chrono::sys_time<D>: "YYYY-MM-DD HH:MM:SS" plus the fraction D can hold when it is not zero
// (milliseconds: 3 digits, microseconds: 6, anything finer: 9); sys_days: "YYYY-MM-DD".
template <class Duration>
struct field_traits<std::chrono::time_point<std::chrono::system_clock, Duration>> {
    using T = std::chrono::time_point<std::chrono::system_clock, Duration>;
    static constexpr bool supported = true;
    static constexpr ColumnType type = ColumnType::Text;
    static constexpr bool nullable = false;
    static constexpr bool is_date = std::ratio_greater_equal_v<typename Duration::period, std::chrono::days::period>;
    static constexpr int digits = detail::fraction_digits<Duration>();

    static std::size_t format(char* out, T value) {
        using namespace std::chrono;
        if constexpr (is_date) {
            return detail::format_date(out, floor<days>(value).time_since_epoch().count());
        } else {
            const auto whole = floor<seconds>(value);
            std::int64_t fraction = 0;
            if constexpr (digits == 9) {
                fraction = duration_cast<nanoseconds>(value - whole).count();
            } else if constexpr (digits > 0) {
                fraction = (value - whole).count();
            }
            return detail::format_datetime(out, whole.time_since_epoch().count(), fraction, digits);
        }
    }
    static T parse(std::string_view text) {
        using namespace std::chrono;
        std::int64_t secs = 0;
        std::int64_t nanos = 0;
        detail::parse_datetime(text, secs, nanos);
        return floor<Duration>(sys_seconds{seconds{secs}} + nanoseconds{nanos});
    }
    static void bind(sqlite3_stmt* stmt, int index, T value) {
        char buffer[40];
        detail::bind_text_copy(stmt, index, std::string_view(buffer, format(buffer, value)));
    }
    static T read(sqlite3_stmt* stmt, int column) { return parse(detail::read_text_view(stmt, column)); }
    static Value to_value(T value) {
        char buffer[40];
        return Value{std::string(buffer, format(buffer, value))};
    }
    static T from_value(const Value& value) { return parse(detail::value_text(value)); }
};

template <>
struct field_traits<std::chrono::year_month_day> {
    using T = std::chrono::year_month_day;
    using days_traits = field_traits<std::chrono::sys_days>;
    static constexpr bool supported = true;
    static constexpr ColumnType type = ColumnType::Text;
    static constexpr bool nullable = false;
    static std::chrono::sys_days checked(T value) {
        if (!value.ok()) {
            detail::throw_invalid("covet: invalid date (year_month_day::ok() is false)");
        }
        return std::chrono::sys_days{value};
    }
    static void bind(sqlite3_stmt* stmt, int index, T value) { days_traits::bind(stmt, index, checked(value)); }
    static T read(sqlite3_stmt* stmt, int column) { return T{days_traits::read(stmt, column)}; }
    static Value to_value(T value) { return days_traits::to_value(checked(value)); }
    static T from_value(const Value& value) { return T{days_traits::from_value(value)}; }
};

// std::optional<T>: the same column, nullable.
template <class T>
struct field_traits<std::optional<T>> {
    using inner = field_traits<T>;
    static constexpr bool supported = inner::supported && !detail::is_optional<T>;
    static constexpr ColumnType type = inner::type;
    static constexpr bool nullable = true;
    static void bind(sqlite3_stmt* stmt, int index, const std::optional<T>& value) {
        if (value) {
            inner::bind(stmt, index, *value);
        } else {
            detail::bind_null(stmt, index);
        }
    }
    static std::optional<T> read(sqlite3_stmt* stmt, int column) {
        if constexpr (requires { inner::read_optional(stmt, column); }) {
            return inner::read_optional(stmt, column);
        } else {
            if (detail::is_null(stmt, column)) {
                return std::nullopt;
            }
            return inner::read(stmt, column);
        }
    }
    static Value to_value(const std::optional<T>& value) { return value ? inner::to_value(*value) : Value{nullptr}; }
    static std::optional<T> from_value(const Value& value) {
        if (std::holds_alternative<std::nullptr_t>(value)) {
            return std::nullopt;
        }
        return inner::from_value(value);
    }
};

// ForeignKey / OneToOne (to_one.hpp): the column holds the relation's key, stored as its key type.
template <class M>
    requires requires { typename M::covet_relation_column; }
struct field_traits<M> {
    using key_type = typename M::key_type;
    using key_traits = field_traits<key_type>;
    static constexpr bool supported = key_traits::supported;
    static constexpr ColumnType type = key_traits::type;
    static constexpr bool nullable = key_traits::nullable;
    static void bind(sqlite3_stmt* stmt, int index, const M& value) { key_traits::bind(stmt, index, value.id()); }
    static key_type read_key(sqlite3_stmt* stmt, int column) { return key_traits::read(stmt, column); }
    static M read(sqlite3_stmt* stmt, int column) { return M(read_key(stmt, column)); }
    static Value to_value(const M& value) { return key_traits::to_value(value.id()); }
    static key_type key_from_value(const Value& value) { return key_traits::from_value(value); }
    static M from_value(const Value& value) { return M(key_from_value(value)); }
};

template <class T>
concept storable = field_traits<T>::supported;

// The text-valued enum names of a field type (through std::optional), empty otherwise.
template <class T>
std::vector<std::string> field_choices() {
    if constexpr (detail::is_optional<T>) {
        return field_choices<typename T::value_type>();
    } else if constexpr (std::is_enum_v<T>) {
        return field_traits<T>::choices();
    } else {
        return {};
    }
}

}  // namespace covet
