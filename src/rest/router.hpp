// Routes of a REST adapter: exposed paths (`/v1/jobs/{jobid}`, `{{jobid}}`) with their methods.
// Pure logic over decoded path segments, so the matching rules are unit-tested without sockets.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "engine/engine.hpp"

namespace capstan::rest {

struct RouteMatch {
  enum class Kind { kFound, kNotFound, kMethodNotAllowed };
  Kind kind = Kind::kNotFound;
  const engine::ExposedOperation* operation = nullptr;
  std::map<std::string, std::string> path_parameters;  // decoded segment values
  std::string allow;  // kMethodNotAllowed: "GET, POST" (RFC 9110 §10.2.1)
};

class Router {
 public:
  void add(const engine::ExposedOperation& operation);

  // `segments` are the percent-decoded segments of the request path ("/a/b" -> {"a","b"}).
  // Literal segments win over placeholders, segment by segment from the left.
  RouteMatch match(std::string_view method, const std::vector<std::string>& segments) const;

 private:
  struct Segment {
    bool placeholder = false;
    std::string text;  // literal text, or the placeholder name
  };
  struct Route {
    std::vector<Segment> segments;
    std::vector<const engine::ExposedOperation*> operations;
  };

  static std::vector<Segment> splitPattern(std::string_view path);
  static bool matches(const Route& route, const std::vector<std::string>& segments);
  static bool moreSpecific(const Route& a, const Route& b);

  std::vector<Route> routes_;
};

// Splits an origin-form path into decoded segments; false when it is not a valid path.
bool decodePath(std::string_view path, std::vector<std::string>& segments);

}  // namespace capstan::rest
