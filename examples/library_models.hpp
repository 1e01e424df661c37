// The seed's example models (Author, Profile, Category, Book), as covet declares them, plus Loan
// (a PROTECT relation to Book): the schema of examples/library.cpp, docs/relations.md, the relation
// test suites (tests/cpp/library_fixture.hpp) and the compile-time probe (bench/compile/).
//
// Django's version, for comparison:
//   class Author(Model):   name = CharField(max_length=100); email = EmailField(unique=True)
//   class Profile(Model):  author = OneToOneField(Author, on_delete=CASCADE, related_name='profile')
//                          bio = TextField(); website = URLField()
//   class Category(Model): name = CharField(max_length=50)
//                          parent = ForeignKey('self', on_delete=SET_NULL, null=True, related_name='children')
//   class Book(Model):     title = CharField(max_length=200)
//                          author = ForeignKey(Author, on_delete=CASCADE, related_name='books')
//                          categories = ManyToManyField(Category, related_name='books')
//                          published_date = DateField(); pages = IntegerField()
//                          class Meta: ordering = ['-published_date']
//   class Loan(Model):     book = ForeignKey(Book, on_delete=PROTECT, related_name='loans'); borrower = CharField()
//
// Every member has a default member initializer ({}), so that designated initializers
// (Book{.title = "x"}) may leave members out without -Wmissing-field-initializers.
#pragma once

#include <covet/covet.hpp>

#include <array>
#include <cstdint>
#include <string>

namespace library {

struct Author;
struct Book;
struct Profile;

struct Category {
    std::int64_t id = 0;
    std::string name{};
    covet::ForeignKey<Category, {.on_delete = covet::SetNull, .null = true, .related_name = "children"}> parent{};
    covet::ReverseMany<Category> children{};
    covet::ReverseMany<Book> books{};
};

struct Profile {
    std::int64_t id = 0;
    covet::OneToOne<Author, {.on_delete = covet::Cascade, .related_name = "profile"}> author{};
    std::string bio{};
    std::string website{};
};

struct Book {
    std::int64_t id = 0;
    std::string title{};
    covet::ForeignKey<Author, {.on_delete = covet::Cascade, .related_name = "books"}> author{};
    covet::ManyToMany<Category, {.related_name = "books"}> categories{};
    std::string published_date{};
    int pages = 0;
};

struct Author {
    std::int64_t id = 0;
    std::string name{};
    std::string email{};
    covet::ReverseOne<Profile> profile{};
    covet::ReverseMany<Book> books{};
    covet::Prefetched<Book> long_books{};  // a to_attr list: covet::Prefetch("books", query, "long_books")
};

// Deleting a book that is on loan is refused (covet::ProtectedError). Book does not declare the
// reverse side (covet::ReverseMany<Loan> loans): covet::reverse<&Loan::book>(db, book) reaches it.
struct Loan {
    std::int64_t id = 0;
    covet::ForeignKey<Book, {.on_delete = covet::Protect, .related_name = "loans"}> book{};
    std::string borrower{};
};

}  // namespace library

BOOST_HANA_ADAPT_STRUCT(library::Category, id, name, parent, children, books);
BOOST_HANA_ADAPT_STRUCT(library::Profile, id, author, bio, website);
BOOST_HANA_ADAPT_STRUCT(library::Book, id, title, author, categories, published_date, pages);
BOOST_HANA_ADAPT_STRUCT(library::Author, id, name, email, profile, books, long_books);
BOOST_HANA_ADAPT_STRUCT(library::Loan, id, book, borrower);

template <>
struct covet::meta<library::Author> {
    static constexpr auto table = "authors";
    static constexpr auto fields = covet::fields(covet::field<&library::Author::name>{.max_length = 100},
                                                 covet::field<&library::Author::email>{.unique = true, .email = true});
};
template <>
struct covet::meta<library::Profile> {
    static constexpr auto table = "profiles";
    static constexpr auto fields = covet::fields(covet::field<&library::Profile::website>{.url = true});
};
template <>
struct covet::meta<library::Category> {
    static constexpr auto table = "categories";
    static constexpr auto fields = covet::fields(covet::field<&library::Category::name>{.max_length = 50});
};
template <>
struct covet::meta<library::Book> {
    static constexpr auto table = "books";
    static constexpr auto ordering = std::array{"-published_date", "id"};
    static constexpr auto fields = covet::fields(covet::field<&library::Book::title>{.max_length = 200});
};
template <>
struct covet::meta<library::Loan> {
    static constexpr auto table = "loans";
};
