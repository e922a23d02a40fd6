target_sources(resnest_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/Benchmark.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ClassNames.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ComputeOptions.cpp
  ${CMAKE_CURRENT_LIST_DIR}/Exporter.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ResNeStClassifier.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ResourceLocator.cpp)
