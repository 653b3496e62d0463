// A job template ("job" in Sahara v1.1) as the gateway's configuration defines one, for
// deployments whose MRS has no job-object API (sahara-clusters-and-templates.md §4.4).
#pragma once

#include <string>
#include <vector>

namespace sgw::sahara {

/// A job binary named in a template's `mains` or `libs`.
struct template_binary {
    std::string id{};
    std::string name{};
};

struct job_template {
    std::string id{};    ///< what execute sends as the template id (a UUID, so clients take it as one)
    std::string name{};  ///< what `--job-template NAME` looks up
    std::string type{};  ///< Sahara's type (MapReduce, Spark, Hive, ...) or MRS's (DistCp, ...)
    std::string description{};
    std::vector<template_binary> mains{}, libs{};
};

}  // namespace sgw::sahara
