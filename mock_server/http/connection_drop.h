// Closing a request's connection without an HTTP answer (the drop_connection fault). cpp-httplib
// does not hand its socket to handlers, so the socket is found by the request's two endpoints.
#pragma once

#include <httplib.h>

namespace live::http {

// Shuts down the socket that carries `request` in both directions; the library's later write fails
// and it closes the connection, so the client sees the connection end with no response. Returns
// false if the socket could not be found.
bool dropConnection(const httplib::Request& request);

}  // namespace live::http
