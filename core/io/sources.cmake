target_sources(resnest_core PRIVATE)
