target_sources(resnest_nn PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/AttentionAttribution.cpp
  ${CMAKE_CURRENT_LIST_DIR}/BlockCapture.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ConvNormActivation.cpp
  ${CMAKE_CURRENT_LIST_DIR}/FiniteWeights.cpp
  ${CMAKE_CURRENT_LIST_DIR}/FoldedConv.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ModelLimits.cpp
  ${CMAKE_CURRENT_LIST_DIR}/PrepackedConv.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ResNeSt.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ResNeStBottleneck.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ResNeStConfig.cpp
  ${CMAKE_CURRENT_LIST_DIR}/SplitAttentionConv.cpp
  ${CMAKE_CURRENT_LIST_DIR}/SplitAttentionGate.cpp
  ${CMAKE_CURRENT_LIST_DIR}/WeightedSplitSum.cpp
  ${CMAKE_CURRENT_LIST_DIR}/WinogradConv.cpp)
target_sources(resnest_nn PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/ArchitectureDetector.cpp
  ${CMAKE_CURRENT_LIST_DIR}/KeyRenaming.cpp
  ${CMAKE_CURRENT_LIST_DIR}/StateDictLoader.cpp)
