# The tensor-level task pipeline (no OpenCV): one load sequence, one run and explain path, benchmarks, export.
target_sources(resnest_nn PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/Benchmark.cpp
  ${CMAKE_CURRENT_LIST_DIR}/BodyResolver.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ClassificationModel.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ComputeDevice.cpp
  ${CMAKE_CURRENT_LIST_DIR}/DetectionModel.cpp
  ${CMAKE_CURRENT_LIST_DIR}/Devices.cpp
  ${CMAKE_CURRENT_LIST_DIR}/Exporter.cpp
  ${CMAKE_CURRENT_LIST_DIR}/HeadCheckpoint.cpp
  ${CMAKE_CURRENT_LIST_DIR}/HeapPolicy.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ModelCard.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ModelInfoFill.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ModelTaskDetector.cpp
  ${CMAKE_CURRENT_LIST_DIR}/OpenMpWaitPolicy.cpp
  ${CMAKE_CURRENT_LIST_DIR}/SegmentationModel.cpp
  ${CMAKE_CURRENT_LIST_DIR}/TaskModelLoader.cpp
  ${CMAKE_CURRENT_LIST_DIR}/TaskRunner.cpp)
