// The REST adapter (component `rest`): serves one `exposes: type: rest` entry of a capability on
// capstan::net::HttpServer, asking the engine for every upstream call.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <cstdint>
#include <memory>
#include <string_view>

#include "engine/engine.hpp"
#include "net/http_server.hpp"
#include "spec/model.hpp"

namespace capstan::rest {

class RestAdapter {
 public:
  // `engine` and `adapter` must outlive the RestAdapter. Throws engine::StartupError when the
  // adapter's inbound authentication names an unbound variable.
  RestAdapter(engine::Engine& engine, const spec::RestAdapter& adapter,
              boost::asio::any_io_executor executor, net::ServerLimits limits = {});
  ~RestAdapter();
  RestAdapter(const RestAdapter&) = delete;
  RestAdapter& operator=(const RestAdapter&) = delete;

  // Binds and starts serving; returns the bound port (port 0 picks one).
  std::uint16_t start(std::string_view host, std::uint16_t port);
  void stop();
  std::uint16_t port() const;
  // Client connections currently open (a stopping process waits for them to finish).
  std::size_t openConnections() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace capstan::rest
