#include "modules.hpp"
namespace covet::ext { int register_delete_plan_vtab(sqlite3*) { return SQLITE_OK; } }
