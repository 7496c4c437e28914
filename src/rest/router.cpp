#include "rest/router.hpp"

#include <algorithm>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include "spec/lookup.hpp"

namespace capstan::rest {

std::vector<Router::Segment> Router::splitPattern(std::string_view path) {
  std::vector<Segment> segments;
  if (path.starts_with('/')) path.remove_prefix(1);
  while (true) {
    const auto slash = path.find('/');
    const std::string_view piece = path.substr(0, slash);
    const auto placeholders = spec::pathPlaceholders(piece);
    if (placeholders.size() == 1 && placeholders[0].offset == 0 &&
        placeholders[0].length == piece.size()) {
      segments.push_back({true, placeholders[0].name});
    } else {
      // TODO(#5): a placeholder sharing a segment with literal text ("/v1/{id}.json") is
      // matched literally.
      segments.push_back({false, std::string(piece)});
    }
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return segments;
}

void Router::add(const engine::ExposedOperation& operation) {
  auto pattern = splitPattern(operation.path);
  for (Route& route : routes_) {
    const bool same =
        route.segments.size() == pattern.size() &&
        std::equal(route.segments.begin(), route.segments.end(), pattern.begin(),
                   [](const Segment& a, const Segment& b) {
                     return a.placeholder == b.placeholder && (a.placeholder || a.text == b.text);
                   });
    if (same) {
      route.operations.push_back(&operation);
      return;
    }
  }
  routes_.push_back(Route{std::move(pattern), {&operation}});
}

bool Router::matches(const Route& route, const std::vector<std::string>& segments) {
  if (route.segments.size() != segments.size()) return false;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const Segment& segment = route.segments[i];
    if (segment.placeholder ? segments[i].empty() : segment.text != segments[i]) return false;
  }
  return true;
}

bool Router::moreSpecific(const Route& a, const Route& b) {
  for (std::size_t i = 0; i < a.segments.size() && i < b.segments.size(); ++i) {
    if (a.segments[i].placeholder != b.segments[i].placeholder) return !a.segments[i].placeholder;
  }
  return false;
}

RouteMatch Router::match(std::string_view method, const std::vector<std::string>& segments) const {
  RouteMatch result;
  const Route* best = nullptr;
  for (const Route& route : routes_) {
    if (matches(route, segments) && (best == nullptr || moreSpecific(route, *best))) best = &route;
  }
  if (best == nullptr) return result;

  for (const auto* operation : best->operations) {
    // RFC 9110 §9.3.2: HEAD is answered wherever GET is.
    if (operation->method == method || (method == "HEAD" && operation->method == "GET")) {
      result.kind = RouteMatch::Kind::kFound;
      result.operation = operation;
      break;
    }
  }
  if (result.kind != RouteMatch::Kind::kFound) {
    result.kind = RouteMatch::Kind::kMethodNotAllowed;
    std::vector<std::string> allowed;
    auto allow = [&](const std::string& name) {
      if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) allowed.push_back(name);
    };
    for (const auto* operation : best->operations) {
      allow(operation->method);
      // RFC 9110 §10.2.1: Allow lists what the target answers, and HEAD is answered with GET.
      if (operation->method == "GET") allow("HEAD");
    }
    for (const auto& name : allowed) result.allow += (result.allow.empty() ? "" : ", ") + name;
    return result;
  }
  for (std::size_t i = 0; i < segments.size(); ++i) {
    if (best->segments[i].placeholder) result.path_parameters[best->segments[i].text] = segments[i];
  }
  return result;
}

bool decodePath(std::string_view path, std::vector<std::string>& segments) {
  segments.clear();
  auto parsed = boost::urls::parse_origin_form(path);
  if (!parsed) return false;
  for (auto segment : parsed->segments()) segments.push_back(std::string(segment));
  if (segments.empty()) segments.emplace_back();  // "/" is one empty segment
  return true;
}

}  // namespace capstan::rest
