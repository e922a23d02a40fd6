# Demo models: training loop, recipes and held-out evaluation on digit composites (needs OpenCV).
target_sources(resnest_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/DemoData.cpp
  ${CMAKE_CURRENT_LIST_DIR}/DemoEvaluator.cpp
  ${CMAKE_CURRENT_LIST_DIR}/DemoRecipe.cpp
  ${CMAKE_CURRENT_LIST_DIR}/DemoTrainer.cpp)
