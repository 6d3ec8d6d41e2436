// Routing helper for cpp-httplib, which registers handlers per method.
#pragma once

#include <httplib.h>

#include <string>

namespace live::http {

// Registers `handler` for `pattern` under every method cpp-httplib routes (HEAD is served by GET).
inline void routeEveryMethod(httplib::Server& server, const std::string& pattern,
                             const httplib::Server::Handler& handler) {
  server.Get(pattern, handler);
  server.Post(pattern, handler);
  server.Put(pattern, handler);
  server.Patch(pattern, handler);
  server.Delete(pattern, handler);
  server.Options(pattern, handler);
}

}  // namespace live::http
