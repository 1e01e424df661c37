// A migrated in-memory library (the seed's models, library_models.hpp) for the relation suites:
//
//   Ann  (profile "Ann's bio")      books: Dune (412 p., Fiction + SF), Emma (300 p., Fiction)
//   Bob  (no profile)               books: SPQR (608 p., History)
//   Cid  (profile "Cid's bio")      no books
//   Categories: Fiction; SF (parent Fiction); History
#pragma once

#include "../../examples/library_models.hpp"

#include <covet/covet.hpp>
#include <doctest/doctest.h>

#include <cstdint>
#include <string>

namespace library {

struct Library {
    covet::Database db{":memory:"};
    Author ann, bob, cid;
    Category fiction, sf, history;
    Book dune, emma, spqr;

    Library() {
        db.migrate<Author, Profile, Category, Book>();
        ann = db.create(Author{.name = "Ann", .email = "ann@example.com"});
        bob = db.create(Author{.name = "Bob", .email = "bob@mail.net"});
        cid = db.create(Author{.name = "Cid", .email = "cid@example.com"});
        db.create(Profile{.author = ann, .bio = "Ann's bio", .website = "https://ann.example.com"});
        db.create(Profile{.author = cid, .bio = "Cid's bio", .website = "https://cid.example.com"});
        fiction = db.create(Category{.name = "Fiction"});
        sf = db.create(Category{.name = "SF", .parent = fiction});
        history = db.create(Category{.name = "History"});
        dune = db.create(Book{.title = "Dune", .author = ann, .published_date = "1965-08-01", .pages = 412});
        emma = db.create(Book{.title = "Emma", .author = ann, .published_date = "1815-12-23", .pages = 300});
        spqr = db.create(Book{.title = "SPQR", .author = bob, .published_date = "2015-10-20", .pages = 608});
        dune.categories.add(db, fiction, sf);
        emma.categories.add(db, fiction);
        spqr.categories.add(db, history);
    }

    // Every row of the database's tables, as text: what "nothing changed" compares.
    std::string snapshot() {
        std::string out;
        for (const char* table : {"authors", "profiles", "categories", "books", "books_categories"}) {
            out += table;
            out += ":";
            for (const covet::Row& row : db.query(std::string("SELECT * FROM ") + table + " ORDER BY 1")) {
                for (int i = 0; i < row.size(); ++i) out += " " + covet::describe(row.value(i));
                out += ";";
            }
            out += "\n";
        }
        return out;
    }

    // The number of statements body() runs.
    template <class F>
    std::int64_t queries(F&& body) {
        const std::int64_t before = db.query_count();
        body();
        return db.query_count() - before;
    }
};

// The message of the covet::Error body() throws ("" if none).
template <class F>
std::string message_of(F&& body) {
    try {
        body();
    } catch (const covet::Error& e) {
        return e.what();
    }
    return "";
}

}  // namespace library
