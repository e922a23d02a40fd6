# Tensor-level inference (no OpenCV): loading, benchmarks, export.
target_sources(resnest_nn PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/AttentionRequest.cpp
  ${CMAKE_CURRENT_LIST_DIR}/Benchmark.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ComputeOptions.cpp
  ${CMAKE_CURRENT_LIST_DIR}/Exporter.cpp
  ${CMAKE_CURRENT_LIST_DIR}/BodyResolver.cpp
  ${CMAKE_CURRENT_LIST_DIR}/DetectorLoader.cpp
  ${CMAKE_CURRENT_LIST_DIR}/HeapPolicy.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ModelCard.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ModelInfoFill.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ModelLoader.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ModelTaskDetector.cpp
  ${CMAKE_CURRENT_LIST_DIR}/OpenMpWaitPolicy.cpp
  ${CMAKE_CURRENT_LIST_DIR}/SegmenterLoader.cpp)
# Image-level facade for the GUI and the CLI's image commands.
if(TARGET resnest_core)
  target_sources(resnest_core PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/AttentionBlocks.cpp
    ${CMAKE_CURRENT_LIST_DIR}/ClassNames.cpp
    ${CMAKE_CURRENT_LIST_DIR}/Predictor.cpp
    ${CMAKE_CURRENT_LIST_DIR}/PredictionJson.cpp
    ${CMAKE_CURRENT_LIST_DIR}/ResNeStClassifier.cpp
    ${CMAKE_CURRENT_LIST_DIR}/ResNeStDetector.cpp
    ${CMAKE_CURRENT_LIST_DIR}/ResNeStSegmenter.cpp
    ${CMAKE_CURRENT_LIST_DIR}/ResourceLocator.cpp
    ${CMAKE_CURRENT_LIST_DIR}/DatasetLabels.cpp
    ${CMAKE_CURRENT_LIST_DIR}/CocoResultWriter.cpp)
endif()
