// covet: Django-style models and relations for SQLite in C++20. The one header to include.
//
//   #include <covet/covet.hpp>
//   covet::Database db{"library.db"};
//   db.migrate<Author, Book>();
//   auto ann = db.create(Author{.name = "Ann", .email = "ann@example.com"});
//   for (const Author& a : db.objects<Author>().filter(covet::f<&Author::name>.startswith("A")))
//       ...
//
// See docs/cpp.md.
#pragma once

#include <covet/crud.hpp>
#include <covet/database.hpp>
#include <covet/error.hpp>
#include <covet/meta.hpp>
#include <covet/model.hpp>
#include <covet/query.hpp>
#include <covet/queryset.hpp>
#include <covet/schema.hpp>
#include <covet/transaction.hpp>
