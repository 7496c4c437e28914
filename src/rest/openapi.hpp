// OpenAPI 3.1 description of a REST adapter (`capstan export openapi`). The parameters are the
// ones the engine infers (DESIGN.md "Semantics" 4), so the document describes exactly what the
// adapter accepts, including the problem+json answers capstan itself gives.
#pragma once

#include <boost/json/object.hpp>
#include <vector>

#include "engine/engine.hpp"
#include "spec/model.hpp"

namespace capstan::rest {

// `operations` are the adapter's operations in document order (Engine::operationsOf).
boost::json::object openApiFor(const spec::Document& document, const spec::RestAdapter& adapter,
                               const std::vector<const engine::ExposedOperation*>& operations);

}  // namespace capstan::rest
