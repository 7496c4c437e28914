// stdio transport (MCP transports: stdio): one compact JSON-RPC message per line on stdin and
// stdout, nothing else ever on stdout, logs on stderr, exit when stdin ends.
#pragma once

#include <boost/asio/io_context.hpp>
#include <iosfwd>

#include "mcp/server.hpp"

namespace capstan::mcp {

// Serves `server` over `in`/`out` until `in` reaches end of file and every request in flight has
// been answered. Runs `io` on the calling thread meanwhile (handlers may use it for upstream
// calls) and stops it before returning. Returns the process exit code.
int runStdio(McpServer& server, boost::asio::io_context& io, std::istream& in, std::ostream& out);

}  // namespace capstan::mcp
