FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md constraints.txt ./
COPY graph_model ./graph_model
COPY resolvers ./resolvers
COPY api ./api
COPY cypher ./cypher
RUN pip install --no-cache-dir -c constraints.txt . && useradd --create-home mashgraph
USER mashgraph
CMD ["mashgraph", "--help"]
